package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/regularfile"
	"golang.org/x/term"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // the lab stopped on an error
	exitUsage = 2 // bad flags, a bad policy file, a busy port
)

// run is the whole program, testable: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if c, ok := lookup(args[0]); ok {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	return runLab(ctx, args, stdin, stdout, stderr)
}

// labFlags are the flags of `corslab` itself.
type labFlags struct {
	siteA, siteB string
	lan          bool
	noTUI        bool
	policy       string
	scenario     string // a bug of the catalogue: its buggy policy (scenarios.go)
	progress     string // the lessons' progress file
	upstream     string // proxy mode: the user's API behind site B
	version      bool   // print the version instead
	replay       string // replay mode: a HAR file whose recorded server site B plays
	replayServer string // which of the file's servers (default: the one most requested)
}

// labFlagSet declares corslab's own flags into f; its usage, on w, lists
// the commands too.
func labFlagSet(f *labFlags, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("corslab", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&f.siteA, "site-a", lab.DefaultSiteA, "`host:port` of site A, the page's origin")
	fs.StringVar(&f.siteB, "site-b", lab.DefaultSiteB, "`host:port` of site B, the API on another origin (same host as site A)")
	fs.BoolVar(&f.lan, "lan", false, "allow non-loopback addresses, to serve a classroom (prints a warning)")
	fs.BoolVar(&f.noTUI, "no-tui", false, "no terminal UI: print the URLs and one line per exchange (automatic when stdout is not a terminal)")
	fs.StringVar(&f.policy, "policy", "", "site B's starting policy document (JSON `file`)")
	fs.StringVar(&f.scenario, "scenario", "", "start in a scenario of the bug catalogue: its buggy policy (`name`; corslab scenarios lists them)")
	fs.StringVar(&f.upstream, "upstream", "", "proxy mode: site B forwards every request, preflights too, to your API at `URL` (e.g. http://localhost:3000); its CORS headers pass through unless the policy overrides them")
	fs.StringVar(&f.replay, "replay", "", "replay mode: site B answers as the server recorded in a HAR `file` did (its status, headers, body per method and path); the page offers the recorded requests; the policy overrides header by header")
	fs.StringVar(&f.replayServer, "replay-server", "", "with -replay: the recorded server site B plays, as an `origin` (e.g. https://api.example.com; default: the one the file's cross-origin requests went to most)")
	fs.StringVar(&f.progress, "progress", "", "the lessons' progress `file` (default: corslab/progress.json in the user's config directory)")
	fs.BoolVar(&f.version, "version", false, "print corslab's version and exit")
	fs.Usage = func() {
		printUsage(w)
		fs.PrintDefaults()
	}
	return fs
}

func parseLabFlags(args []string, stderr io.Writer) (labFlags, error) {
	var f labFlags
	fs := labFlagSet(&f, stderr)
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q (commands: %s)", fs.Arg(0), commandNames())
	}
	if f.replay != "" && f.upstream != "" {
		return f, errors.New("-replay and -upstream both say what site B answers: give one")
	}
	if f.replayServer != "" && f.replay == "" {
		return f, errors.New("-replay-server picks a server of the -replay file: give -replay too")
	}
	if f.scenario != "" && f.policy != "" {
		return f, errors.New("-scenario and -policy both set a starting policy: give one")
	}
	return f, nil
}

func runLab(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parseLabFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "corslab: %v\n", err)
		return exitUsage
	}
	if f.version {
		return runVersion(ctx, nil, stdin, stdout, stderr)
	}
	cfg := lab.Config{SiteA: f.siteA, SiteB: f.siteB, LAN: f.lan, Upstream: f.upstream}
	if f.policy != "" {
		if cfg.Policy, err = loadPolicy(f.policy); err != nil {
			fmt.Fprintf(stderr, "corslab: -policy %s: %v\n", f.policy, err)
			return exitUsage
		}
	}
	if f.scenario != "" {
		if cfg.Policy, err = scenarioPolicy(f.scenario); err != nil {
			fmt.Fprintf(stderr, "corslab: -scenario: %v\n", err)
			return exitUsage
		}
		cfg.Scenario = f.scenario
	}
	if f.replay != "" {
		if cfg.Replay, err = loadReplay(f.replay, f.replayServer); err != nil {
			fmt.Fprintf(stderr, "corslab: -replay %s: %v\n", f.replay, err)
			return exitUsage
		}
	}
	cfg.Progress = progressFile(f.progress, stderr)
	if err := regularfile.IsRegularOrAbsent(cfg.Progress); err != nil {
		fmt.Fprintf(stderr, "corslab: -progress %s: %v\n", cfg.Progress, err)
		return exitUsage
	}
	l, err := lab.Listen(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "corslab: %v\n", err)
		return exitUsage
	}
	tuneGC(os.Getenv)
	if f.lan {
		fmt.Fprintf(stderr, "corslab: warning: -lan: anyone on this network can open the page, watch the live log (every request to site B: paths, origins, headers; the values of Authorization, Cookie and Set-Cookie masked) and use site B's API; only this machine and the teacher link change the policy and the lesson\n")
	}
	fmt.Fprintf(stdout, "corslab: site A (the page)  %s\ncorslab: site B (the API)   %s\n", l.URLA, l.URLB)
	if l.TeacherURL != "" {
		fmt.Fprintf(stdout, "corslab: students open %s; the teacher link (keep it to yourself) is %s\n", l.URLA, l.TeacherURL)
	}
	if u := l.SiteB.Upstream(); u != nil {
		fmt.Fprintf(stdout, "corslab: site B is a proxy to %s: its CORS headers pass through unless the policy overrides them\n", u)
	}
	if rp := cfg.Replay; rp != nil {
		fmt.Fprintf(stdout, "corslab: site B replays %s as recorded in %s: %d answers, %d requests offered on the page; the policy overrides header by header\n",
			rp.Server, rp.File, len(rp.Answers), len(rp.Calls))
		if len(rp.Others) > 0 {
			fmt.Fprintf(stdout, "corslab: not replayed (other servers in the file; -replay-server picks one): %s\n", strings.Join(rp.Others, ", "))
		}
	}

	show := func(ctx context.Context) error {
		if f.noTUI || !isTerminal(stdout) {
			fmt.Fprintf(stdout, "corslab: open %s in a browser; Ctrl-C stops\n", l.URLA)
			fmt.Fprintf(stdout, "corslab: one line per exchange below, at most %d a second (more are counted in a summary line; the page's live log shows every one)\n", logLinesPerSecond)
			printLog(ctx, l.Journal.Hub().Subscribe(0), stdout, nil, time.Now)
			return nil
		}
		if err := runTUI(ctx, l, stdin, stdout); err != nil {
			return fmt.Errorf("terminal UI: %w", err)
		}
		return nil
	}
	return serveAndShow(ctx, l.Serve, show, stderr)
}

// serveAndShow runs serve and show (the TUI or the -no-tui log) until
// either ends: the user quits, ctx ends (a signal), or a server stops on
// an error — which ends show too, rather than leave a UI over dead
// servers. Each failure is one line on stderr and exit status 1.
func serveAndShow(ctx context.Context, serve, show func(context.Context) error, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx)
		cancel()
	}()
	code := exitOK
	if err := show(ctx); err != nil {
		fmt.Fprintf(stderr, "corslab: %v\n", err)
		code = exitFail
	}
	cancel()
	if err := <-served; err != nil {
		fmt.Fprintf(stderr, "corslab: %v\n", err)
		return exitFail
	}
	return code
}

// loadReplay reads the HAR file of -replay, to play server (-replay-server).
func loadReplay(path, server string) (*lab.Replay, error) {
	f, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return lab.LoadReplay(f, path, server)
}

func loadPolicy(path string) (*policy.Policy, error) {
	data, err := regularfile.Read(path, regularfile.MaxSize)
	if err != nil {
		return nil, err
	}
	return policy.ParsePolicy(data)
}

// isTerminal reports whether w is a terminal: a real check (the terminal
// ioctl), not "a character device", which /dev/null is too.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
