package labtest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/lab"
)

func TestStartServesAndStops(t *testing.T) {
	l := StartPolicy(t, []byte(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`))
	if !strings.HasPrefix(l.URLA, "http://127.0.0.1:") || l.WS != "ws"+strings.TrimPrefix(l.URLA, "http")+"/lab/ws" {
		t.Errorf("URLA %s, WS %s", l.URLA, l.WS)
	}
	resp, err := http.Get(l.URLB + "/api/items")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("site B's Access-Control-Allow-Origin %q, want the policy's *", got)
	}
	if l.LastSeq() == 0 {
		t.Error("the exchange is not in the journal")
	}
	if err := l.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := l.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, err := http.Get(l.URLB + "/api/items"); err == nil {
		t.Error("site B still answers after Stop")
	}
}

func TestStartKeepsTheGivenAddresses(t *testing.T) {
	l := Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0"})
	if !strings.HasPrefix(l.URLA, "http://localhost:") || !strings.HasPrefix(l.URLB, "http://localhost:") {
		t.Errorf("URLA %s, URLB %s, want localhost", l.URLA, l.URLB)
	}
	if Policy(t, nil) != nil {
		t.Error("Policy(nil) is not the closed policy")
	}
}
