package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/suites/all"
)

// verifySuites are the suites linked into the binary, in the order a
// reader builds the concepts up (the summary's rows). Importing suites/all
// registers their specs; all.Register adds the per-IngressClass ones once
// the cluster is known.
var verifySuites = all.Names

// embeddedOnly are the suite flags that only shape the embedded kind
// cluster of go test: verify never creates a cluster.
var embeddedOnly = []string{"keep-cluster", "cni", "addons"}

const defaultVerifyReportDir = "netconform-reports"

// verifyUsage says what the suite flags whose go test meaning differs do here.
var verifyUsage = map[string]string{
	"kubeconfig": "kubeconfig of the cluster under test (default: $KUBECONFIG; one of them is required)",
	"report-dir": "directory for the JUnit, Ginkgo JSON and conformance reports of each suite, the HTML page and Ginkgo's log (default: $NETCONFORM_REPORT_DIR, else " + defaultVerifyReportDir + "; --report-dir= for none)",
}

// verify runs every suite in this process against an existing cluster,
// with live progress and a summary, and fails when any spec failed.
func verify(ctx context.Context, args []string) error {
	started := time.Now()
	fs := newFlags("verify")
	// The suites' own flags (framework/e2e, suites/ingress and any added
	// later) are defined on flag.CommandLine for go test; verify takes
	// the same values, so both ways of running read one set of flags.
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "ginkgo.") || strings.HasPrefix(f.Name, "test.") || slices.Contains(embeddedOnly, f.Name) {
			return
		}
		usage := f.Usage
		if u, ok := verifyUsage[f.Name]; ok {
			usage = u
		}
		fs.Var(f.Value, f.Name, usage)
	})
	labelFilter := fs.String("label-filter", "", "run only the specs whose labels match, e.g. 'dns || services', '!Feature:LoadBalancer' (Disruptive specs need --disruptive or this filter naming them)")
	var focus stringList
	fs.Var(&focus, "focus", "run only the specs whose full text matches this regular expression (repeatable)")
	timeout := fs.Duration("timeout", 2*time.Hour, "bound on the whole run")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netconform verify --kubeconfig K [--label-filter F] [--report-dir D] [--disruptive]\n\n"+
			"Runs every suite (%s) against an existing cluster, serially, in this process.\n"+
			"Exit status 0 only when no spec failed.\n\n", strings.Join(verifySuites, ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("verify takes no arguments (got %q); see netconform verify --help", fs.Args())
	}
	reportDir := fs.Lookup("report-dir")
	if !isSet(fs, "report-dir") && reportDir.Value.String() == "" {
		reportDir.Value.Set(defaultVerifyReportDir)
	}

	path := e2e.KubeconfigPath()
	if path == "" {
		return errors.New("no cluster given: pass --kubeconfig PATH or set $KUBECONFIG (verify never creates a cluster)")
	}
	// Fail before anything is registered when the cluster cannot be
	// reached: bounded by the firstContact timeout.
	if _, err := kube.Open(ctx, path); err != nil {
		return fmt.Errorf("cannot reach the cluster of kubeconfig %s: %w", path, err)
	}
	if err := all.Register(); err != nil {
		return fmt.Errorf("listing the cluster's IngressClasses: %w", err)
	}

	runID := e2e.ChooseRunID()
	var log io.Writer
	logPath := ""
	if dir := reportDir.Value.String(); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("--report-dir: %w", err)
		}
		logPath = filepath.Join(dir, "verify-"+runID+".log")
		f, err := os.Create(logPath)
		if err != nil {
			return fmt.Errorf("--report-dir: %w", err)
		}
		defer f.Close()
		log = f
	}

	p := newProgress(os.Stdout, isTerminal(os.Stdout), verifySuites, started)
	fmt.Fprintf(os.Stdout, "netconform verify: run %s against %s\n", runID, path)
	stopTicker := p.tick(time.Second)
	res, err := e2e.Verify(e2e.VerifyOptions{
		Suites: verifySuites, LabelFilter: *labelFilter, Focus: focus, Timeout: *timeout,
		Progress: p, Log: log,
	})
	stopTicker()
	if err != nil {
		return err
	}
	s := summarize(res.Report, verifySuites)
	s.write(os.Stdout)
	if len(res.Files) > 0 || logPath != "" {
		fmt.Fprintf(os.Stdout, "\nReports in %s:\n", reportDir.Value.String())
		for _, f := range append(res.Files, logPath) {
			if f != "" {
				fmt.Fprintf(os.Stdout, "  %s\n", filepath.Base(f))
			}
		}
	}
	first := "no spec ran"
	if !p.firstSpec.IsZero() {
		first = "first spec after " + p.firstSpec.Sub(started).Round(100*time.Millisecond).String()
	}
	fmt.Fprintf(os.Stdout, "\n%s in %s (%s)\n", s.verdict(res.Passed), time.Since(started).Round(time.Second), first)
	switch {
	case res.ReportsErr != nil:
		return fmt.Errorf("writing the reports: %w", res.ReportsErr)
	case s.failed() > 0:
		return fmt.Errorf("%d spec(s) failed", s.failed())
	case !res.Passed:
		return errors.New("the run did not pass (see above)")
	}
	return nil
}

// progress prints a run as it goes: one line per finished spec (with its
// reason when it failed or was unsupported), and the running spec: on a
// terminal a status line redrawn in place, elsewhere one line as it starts.
type progress struct {
	mu        sync.Mutex
	w         io.Writer
	live      bool
	suites    []string
	started   time.Time
	now       func() time.Time
	total     int
	done      int
	failed    int
	current   *types.SpecReport
	firstSpec time.Time
	status    bool // a status line is on screen
}

func newProgress(w io.Writer, live bool, suites []string, started time.Time) *progress {
	return &progress{w: w, live: live, suites: suites, started: started, now: time.Now}
}

func (p *progress) Begin(r types.Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = r.PreRunStats.SpecsThatWillRun
	left := ""
	if n := r.PreRunStats.TotalSpecs - p.total; n > 0 {
		left = fmt.Sprintf(", %d left out by the filter %q", n, r.SuiteConfig.LabelFilter)
		if len(r.SuiteConfig.FocusStrings) > 0 {
			left += fmt.Sprintf(" and --focus %q", strings.Join(r.SuiteConfig.FocusStrings, " "))
		}
	}
	p.line("%d specs to run%s; checking the cluster", p.total, left)
}

func (p *progress) Ready(env e2e.Env) {
	p.mu.Lock()
	defer p.mu.Unlock()
	host, version := "", ""
	if e2e.Cluster != nil {
		host, version = e2e.Cluster.Config.Host+", ", "Kubernetes "+e2e.Cluster.Version+", "
	}
	p.line("cluster ready: %s%s%d nodes, CNI %s%s", host, version, env.Nodes, env.CNI.Name, missingFeatures(env.Features))
}

// missingFeatures names the features the cluster lacks: their specs are
// reported unsupported, with the reason.
func missingFeatures(set feature.Set) string {
	var missing []string
	for _, f := range feature.All() {
		if ok, _ := set.Supports(f); !ok {
			missing = append(missing, string(f))
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "; lacks " + strings.Join(missing, ", ")
}

func (p *progress) SpecStarted(s types.SpecReport) {
	if e2e.FilteredOut(s) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Ginkgo stamps StartTime after the report nodes ran.
	s.StartTime = p.now()
	if p.firstSpec.IsZero() {
		p.firstSpec = s.StartTime
	}
	p.current = &s
	if p.live {
		p.drawStatus()
		return
	}
	p.line("%s run   %s", p.count(p.done+1), p.name(s))
}

func (p *progress) SpecFinished(s types.SpecReport) {
	if e2e.FilteredOut(s) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.current = nil
	took := s.RunTime.Round(100 * time.Millisecond)
	switch outcome, reason := outcomeOf(s); outcome {
	case passed:
		p.line("%s pass  %s (%s)", p.count(p.done), p.name(s), took)
	case failed:
		p.failed++
		p.line("%s FAIL  %s (%s): %s", p.count(p.done), p.name(s), took, reason)
	case unsupported:
		p.line("%s unsupported  %s: %s", p.count(p.done), p.name(s), reason)
	default:
		p.line("%s %s  %s: %s", p.count(p.done), outcome, p.name(s), reason)
	}
}

// tick redraws the status line every interval on a terminal, so that the
// elapsed time moves during a long spec; the returned func stops it.
func (p *progress) tick(interval time.Duration) func() {
	if !p.live {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.mu.Lock()
				if p.current != nil {
					p.drawStatus()
				}
				p.mu.Unlock()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		p.mu.Lock()
		p.clearStatus()
		p.mu.Unlock()
	}
}

const statusWidth = 120

func (p *progress) drawStatus() {
	now := p.now()
	text := fmt.Sprintf("[%s] %s running (%s)  %s", clock(now.Sub(p.started)), p.count(p.done+1),
		now.Sub(p.current.StartTime).Round(time.Second), p.name(*p.current))
	if r := []rune(text); len(r) > statusWidth {
		text = string(r[:statusWidth-1]) + "…"
	}
	fmt.Fprintf(p.w, "\r\033[K%s", text)
	p.status = true
}

func (p *progress) clearStatus() {
	if p.status {
		fmt.Fprint(p.w, "\r\033[K")
		p.status = false
	}
}

// line prints a permanent line, keeping the status line below it.
func (p *progress) line(format string, args ...any) {
	p.clearStatus()
	fmt.Fprintf(p.w, "[%s] %s\n", clock(p.now().Sub(p.started)), fmt.Sprintf(format, args...))
	if p.live && p.current != nil {
		p.drawStatus()
	}
}

func (p *progress) count(n int) string {
	w := len(fmt.Sprint(p.total))
	return fmt.Sprintf("%*d/%d", w, n, p.total)
}

func (p *progress) name(s types.SpecReport) string {
	return conceptOf(s, p.suites) + ": " + s.FullText()
}

func conceptOf(s types.SpecReport, suites []string) string {
	if c := e2e.SuiteOf(s.Labels(), suites); c != "" {
		return c
	}
	return "other"
}

// clock formats an elapsed time as m:ss (h:mm:ss past an hour).
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%2d:%02d", m, s)
}

type outcome string

const (
	passed      outcome = "passed"
	failed      outcome = "failed"
	unsupported outcome = "unsupported"
	skipped     outcome = "skipped"
	pending     outcome = "pending"
)

// outcomeOf is a spec's outcome, with its reason in one line.
func outcomeOf(s types.SpecReport) (outcome, string) {
	switch {
	case s.State == types.SpecStatePassed:
		return passed, ""
	case s.State == types.SpecStatePending:
		return pending, "pending"
	case s.State == types.SpecStateSkipped:
		if why, ok := e2e.Unsupported(s); ok {
			return unsupported, oneLine(why)
		}
		return skipped, oneLine(s.Failure.Message)
	}
	reason := oneLine(s.Failure.Message)
	if s.State.Is(types.SpecStateInterrupted | types.SpecStateAborted) {
		reason = s.State.String() + ": " + reason
	}
	return failed, reason
}

const reasonWidth = 480

// oneLine reduces a failure message to the line that names the cause:
// Gomega's framing ("Timed out after…", "The function passed to
// Eventually…", an error's type and address) is dropped, a timeout kept
// as a short prefix, and a heading ending in ':' joined with its first
// item (the matrix and route failures list what failed under one).
func oneLine(msg string) string {
	var lines []string
	timedOut := ""
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case strings.HasPrefix(l, "Timed out after "):
			timedOut = "timed out after " + strings.TrimSuffix(strings.TrimPrefix(l, "Timed out after "), ".") + ": "
		case strings.HasPrefix(l, "The function passed to "), strings.HasPrefix(l, "Context was cancelled"),
			strings.HasPrefix(l, "<") && strings.HasSuffix(l, ">:") && strings.Contains(l, " | 0x"):
		default:
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return strings.TrimSuffix(timedOut, ": ")
	}
	out := lines[0]
	if strings.HasSuffix(out, ":") && len(lines) > 1 {
		out += " " + strings.TrimPrefix(lines[1], "- ")
	}
	out = timedOut + out
	// The cause is often at the end of a long line (a diagnosis in
	// parentheses): elide the middle.
	if r := []rune(out); len(r) > reasonWidth {
		head := reasonWidth * 2 / 5
		out = string(r[:head]) + " … " + string(r[len(r)-(reasonWidth-head-3):])
	}
	return out
}

// summary is the end of a run: a row per concept, and the reason of each
// spec that did not pass.
type summary struct {
	rows     []summaryRow
	problems []problem // failures first, then unsupported and skipped, in run order
	suite    []string  // failures outside any spec: setup, cleanup, reports, interruption
}

type summaryRow struct {
	concept string
	counts  map[outcome]int
	runTime time.Duration
}

type problem struct {
	outcome outcome
	concept string
	spec    string
	reason  string
}

func summarize(r types.Report, suites []string) summary {
	var s summary
	rows := map[string]*summaryRow{}
	for _, c := range append(slices.Clone(suites), "other") {
		rows[c] = &summaryRow{concept: c, counts: map[outcome]int{}}
	}
	var fails, others []problem
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State.Is(types.SpecStateFailureStates) {
				s.suite = append(s.suite, fmt.Sprintf("%s: %s", strings.TrimSpace(sr.LeafNodeType.String()+" "+sr.LeafNodeText), oneLine(sr.Failure.Message)))
			}
			continue
		}
		if e2e.FilteredOut(sr) {
			continue
		}
		c := conceptOf(sr, suites)
		o, reason := outcomeOf(sr)
		rows[c].counts[o]++
		rows[c].runTime += sr.RunTime
		p := problem{outcome: o, concept: c, spec: sr.FullText(), reason: reason}
		switch o {
		case failed:
			fails = append(fails, p)
		case unsupported, skipped:
			others = append(others, p)
		}
	}
	// A row per concept that ran a spec (every suite's, when none ran).
	for _, c := range append(slices.Clone(suites), "other") {
		if row := rows[c]; len(row.counts) > 0 {
			s.rows = append(s.rows, *row)
		}
	}
	if len(s.rows) == 0 {
		for _, c := range suites {
			s.rows = append(s.rows, *rows[c])
		}
	}
	s.problems = append(fails, others...)
	s.suite = append(s.suite, r.SpecialSuiteFailureReasons...)
	return s
}

func (s summary) failed() int {
	n := 0
	for _, r := range s.rows {
		n += r.counts[failed]
	}
	return n
}

func (s summary) verdict(passed bool) string {
	if passed && s.failed() == 0 {
		return "PASSED"
	}
	return "FAILED"
}

func (s summary) write(w io.Writer) {
	fmt.Fprintln(w)
	width := len("concept")
	for _, r := range s.rows {
		width = max(width, len(r.concept))
	}
	row := func(concept string, cells ...any) {
		fmt.Fprintf(w, "%-*s  %6v  %6v  %11v  %7v  %7v\n", append([]any{width, concept}, cells...)...)
	}
	row("concept", "passed", "failed", "unsupported", "skipped", "time")
	total := summaryRow{concept: "total", counts: map[outcome]int{}}
	for _, r := range s.rows {
		for o, n := range r.counts {
			total.counts[o] += n
		}
		total.runTime += r.runTime
	}
	for _, r := range append(slices.Clone(s.rows), total) {
		row(r.concept, r.counts[passed], r.counts[failed], r.counts[unsupported], r.counts[skipped]+r.counts[pending], r.runTime.Round(time.Second))
	}
	heading := outcome("")
	for _, g := range groupProblems(s.problems) {
		if g.outcome != heading {
			heading = g.outcome
			fmt.Fprintf(w, "\n%s:\n", strings.ToUpper(string(heading[:1]))+string(heading[1:]))
		}
		if len(g.specs) == 1 {
			fmt.Fprintf(w, "  %s: %s\n    %s\n", g.concept, g.specs[0], g.reason)
			continue
		}
		fmt.Fprintf(w, "  %s, %d specs:\n    %s\n", g.concept, len(g.specs), g.reason)
	}
	if len(s.suite) > 0 {
		fmt.Fprintln(w, "\nOutside the specs:")
		for _, l := range s.suite {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
}

// problemGroup is the specs of one concept that ended alike for one reason.
type problemGroup struct {
	outcome outcome
	concept string
	reason  string
	specs   []string
}

// groupProblems keeps each failure on its own, and gathers the specs that
// were unsupported or skipped for the same reason (a CNI without
// NetworkPolicy makes every policy spec unsupported, for one reason).
func groupProblems(ps []problem) []problemGroup {
	var out []problemGroup
	index := map[problem]int{}
	for _, p := range ps {
		key := problem{outcome: p.outcome, concept: p.concept, reason: p.reason}
		if i, ok := index[key]; ok && p.outcome != failed {
			out[i].specs = append(out[i].specs, p.spec)
			continue
		}
		index[key] = len(out)
		out = append(out, problemGroup{outcome: p.outcome, concept: p.concept, reason: p.reason, specs: []string{p.spec}})
	}
	return out
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
