package hostguard

import "testing"

func TestAllowed(t *testing.T) {
	g := New("site A", "7070", "http://localhost:7070", "192.168.1.5", "classroom.local")
	cases := []struct {
		host string
		want bool
	}{
		{"localhost:7070", true},
		{"LOCALHOST:7070", true},
		{"localhost.:7070", true},
		{"app.localhost:7070", true},
		{"127.0.0.1:7070", true},
		{"127.1.2.3:7070", true},
		{"[::1]:7070", true},
		{"192.168.1.5:7070", true},
		{"Classroom.Local:7070", true},
		{"evil.example:7070", false},           // DNS rebinding
		{"localhost.evil.example:7070", false}, // a name that merely starts like ours
		{"localhost:7071", false},              // another port: site B's, or anything
		{"localhost", false},                   // port 80
		{"192.168.1.6:7070", false},
		{"[::1]", false},
		{":7070", false},
		{"", false},
	}
	for _, c := range cases {
		if got := g.Allowed(c.host); got != c.want {
			t.Errorf("Allowed(%q) = %v, want %v", c.host, got, c.want)
		}
	}
	// The guard remembers the last Host it allowed: the same answers
	// right after an allowed one, and twice in a row.
	for _, c := range cases {
		for _, before := range []string{"127.0.0.1:7070", c.host} {
			g.Allowed(before)
			if got := g.Allowed(c.host); got != c.want {
				t.Errorf("Allowed(%q) after Allowed(%q) = %v, want %v", c.host, before, got, c.want)
			}
		}
	}
	if got := New("site B", "80", "http://localhost").Allowed("localhost"); !got {
		t.Error("Allowed(localhost) on port 80 = false, want true")
	}
}

func TestOrigins(t *testing.T) {
	got := New("site A", "7070", "", "0.0.0.0", "192.168.1.5", "localhost").Origins()
	want := []string{"http://localhost:7070", "http://127.0.0.1:7070", "http://[::1]:7070", "http://192.168.1.5:7070"}
	if len(got) != len(want) {
		t.Fatalf("Origins() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Origins() = %v, want %v", got, want)
		}
	}
}
