package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/report"
)

// VerifyOptions configures Verify: the handover run of every linked
// suite against an existing cluster (netconform verify).
type VerifyOptions struct {
	// Kubeconfig is the cluster under test (default: -kubeconfig, else
	// $KUBECONFIG). Verify never creates a cluster.
	Kubeconfig string
	// Disruptive also runs the specs that break the cluster on purpose
	// (and repair it), as -disruptive does.
	Disruptive bool
	// Suites are the names of the suites linked into the program, in the
	// order of the summary. Each is a label its specs carry, which groups
	// them into one set of reports per suite, as go test writes them.
	Suites []string
	// Register adds the specs that depend on the cluster under test (one
	// Ingress container per IngressClass), once it is known to answer.
	Register    func() error
	LabelFilter string
	// Focus are spec IDs (e2e.ID), or regular expressions on the spec's
	// full text; not both.
	Focus   []string
	Timeout time.Duration // the whole run's bound (Ginkgo's default is 1h)
	// ReportDir receives each suite's JUnit, Ginkgo JSON and conformance
	// reports, the HTML page and Ginkgo's log ("" for none).
	ReportDir string
	// Out receives the progress and the summary; Live redraws the running
	// spec in place (Out is a terminal).
	Out  io.Writer
	Live bool
}

// VerifyResult is a finished Verify run.
type VerifyResult struct {
	RunID   string
	Specs   []report.Spec // every spec of the run, those left out included
	Summary report.Summary
	// Passed is Ginkgo's verdict: no spec, setup, cleanup or report
	// node failed, and the run was not interrupted.
	Passed bool
	Files  []string // the reports written, Ginkgo's log among them
	// ReportsErr is why the reports could not all be written.
	ReportsErr error
}

// Err is why the run did not pass (nil when it did): what a command
// exits non-zero with.
func (r VerifyResult) Err() error {
	switch {
	case r.ReportsErr != nil:
		return fmt.Errorf("writing the reports: %w", r.ReportsErr)
	case r.Summary.Reported() == 0:
		return errors.New("no spec ran: the label filter and --focus select none (a spec's ID is in the summary, the reports and the HTML page)")
	case r.Summary.Failed() > 0:
		return fmt.Errorf("%d spec(s) failed", r.Summary.Failed())
	case !r.Passed:
		return errors.New("the run did not pass (see above)")
	}
	return nil
}

// verifyT is the GinkgoTestingT of a run outside go test.
type verifyT struct{ failed bool }

func (t *verifyT) Fail() { t.failed = true }

// Verify runs every spec registered in this process (each suite package
// registers its specs when imported; the cluster-dependent ones through
// opts.Register), serially, against the cluster given by -kubeconfig or
// $KUBECONFIG, printing progress and a summary to opts.Out. It shares
// everything else with RunSuite: preflight, the run ID, cleanup, the
// Disruptive default, the reports. It can run once per process. The
// error is for a run that could not start; a run that ran returns its
// verdict in the result (VerifyResult.Err).
func Verify(ctx context.Context, opts VerifyOptions) (VerifyResult, error) {
	started := time.Now()
	var res VerifyResult
	if opts.Kubeconfig != "" {
		*kubeconfig = opts.Kubeconfig
	}
	*disruptive = *disruptive || opts.Disruptive
	path := KubeconfigPath()
	if path == "" {
		return res, errors.New("no cluster given: pass --kubeconfig PATH or set $KUBECONFIG (verify never creates a cluster)")
	}
	// Fail before anything is registered when the cluster cannot be
	// reached: bounded by the firstContact timeout.
	if _, err := kube.Open(ctx, path); err != nil {
		return res, fmt.Errorf("cannot reach the cluster of kubeconfig %s: %w", path, err)
	}
	if opts.Register != nil {
		if err := opts.Register(); err != nil {
			return res, fmt.Errorf("registering the cluster's specs: %w", err)
		}
	}
	labelFilter, focus, err := focusOnIDs(opts.LabelFilter, opts.Focus)
	if err != nil {
		return res, err
	}
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	*reportDir = opts.ReportDir
	res.RunID = ChooseRunID()
	log, closeLog, err := openVerifyLog(opts.ReportDir, res.RunID)
	if err != nil {
		return res, err
	}
	defer closeLog()

	run := &verifyRun{opts: opts, labelFilter: labelFilter, focus: focus, log: log, res: &res,
		progress: report.NewProgress(out, opts.Live, opts.Suites)}
	fmt.Fprintf(out, "netconform verify: run %s against %s\n", res.RunID, path)
	stopTicker := run.progress.Tick(time.Second)
	err = run.ginkgo()
	stopTicker()
	if err != nil {
		return res, err
	}
	if log != nil {
		res.Files = append(res.Files, log.Name())
	}
	res.Specs, res.Summary = summarize(run.final, opts.Suites)
	res.Summary.Write(out)
	if dir := opts.ReportDir; dir != "" {
		fmt.Fprintf(out, "\nReports in %s:\n", dir)
		for _, f := range res.Files {
			fmt.Fprintf(out, "  %s\n", filepath.Base(f))
		}
	}
	first := "no spec ran"
	if t := run.progress.FirstSpec(); !t.IsZero() {
		first = "first spec after " + t.Sub(started).Round(100*time.Millisecond).String()
	}
	fmt.Fprintf(out, "\n%s in %s (%s)\n", res.Summary.Verdict(res.Passed), time.Since(started).Round(time.Second), first)
	return res, nil
}

// openVerifyLog creates the file that receives Ginkgo's own account of
// the run in dir (nil when dir is "": none).
func openVerifyLog(dir, runID string) (*os.File, func(), error) {
	if dir == "" {
		return nil, func() {}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("report directory: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "verify-"+runID+".log"))
	if err != nil {
		return nil, nil, fmt.Errorf("report directory: %w", err)
	}
	return f, func() { f.Close() }, nil
}

// verifyRun is one Ginkgo run of Verify.
type verifyRun struct {
	opts        VerifyOptions
	labelFilter string
	focus       []string
	progress    *report.Progress
	log         *os.File // nil: Ginkgo's account is discarded
	res         *VerifyResult
	final       Report // Ginkgo's report of the whole run
}

// ginkgo registers the run's nodes, with its progress told to
// r.progress, and runs every spec the filters keep.
func (r *verifyRun) ginkgo() error {
	repro = verifyRepro
	onReady = func(env Env) { r.progress.Printf("%s", readyLine(env)) }
	err := registerSuiteNodes(func(rep Report) error {
		var err error
		r.res.Files, err = writeVerifyReports(rep, r.opts.Suites, *reportDir)
		r.res.ReportsErr = err
		return err
	})
	if err != nil {
		return err
	}
	ReportBeforeSuite(func(rep Report) {
		r.progress.Begin(rep.PreRunStats.SpecsThatWillRun, rep.PreRunStats.TotalSpecs-rep.PreRunStats.SpecsThatWillRun,
			report.FiltersText(rep.SuiteConfig.LabelFilter, rep.SuiteConfig.FocusStrings))
	})
	ReportBeforeEach(func(s SpecReport) { r.progress.Started(report.FromGinkgo(s)) })
	ReportAfterEach(func(s SpecReport) { r.progress.Finished(report.FromGinkgo(s)) })
	ReportAfterSuite("verify result", func(rep Report) { r.final = rep })

	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.LabelFilter = withDisruptive(r.labelFilter, *disruptive)
	suiteConfig.FocusStrings = r.focus
	if r.opts.Timeout > 0 {
		suiteConfig.Timeout = r.opts.Timeout
	}
	reporterConfig.NoColor = true
	// Ginkgo's console reporter writes to the log; Progress prints.
	formatter.ColorableStdOut = io.Discard
	if r.log != nil {
		formatter.ColorableStdOut = r.log
	}
	t := &verifyT{}
	r.res.Passed = RunSpecs(t, "netconform verify", suiteConfig, reporterConfig, guardSuite()) && !t.failed
	return nil
}

// readyLine describes the cluster once preflight passed.
func readyLine(env Env) string {
	host, version := "", ""
	if Cluster != nil {
		host, version = Cluster.Config.Host+", ", "Kubernetes "+Cluster.Version+", "
	}
	return fmt.Sprintf("cluster ready: %s%s%d nodes, CNI %s%s", host, version, env.Nodes, env.CNI.Name, missingFeatures(env.Features))
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

// summarize turns a run's Ginkgo report into its specs and summary: the
// It nodes through report.FromGinkgo, the other nodes' failures by
// headline.
func summarize(r Report, suites []string) ([]report.Spec, report.Summary) {
	var specs []report.Spec
	var outside []string
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			if s.State.Is(types.SpecStateFailureStates) {
				outside = append(outside, fmt.Sprintf("%s: %s", strings.TrimSpace(s.LeafNodeType.String()+" "+s.LeafNodeText), report.Headline(s.Failure.Message)))
			}
			continue
		}
		specs = append(specs, report.FromGinkgo(s))
	}
	return specs, report.Summarize(specs, suites, append(outside, r.SpecialSuiteFailureReasons...))
}

// idShaped is what a spec ID looks like (e2e.ID): lower-case words joined
// by '-' or '.'. The spec tree, where IDs are given out, is built only
// once the run starts, after the filters are set: a focus string of this
// shape is taken as an ID. A full-text expression has spaces or
// capitals, or no '-'; a run that selects no spec fails, naming its
// filters.
var idShaped = regexp.MustCompile(`^[a-z0-9]+([.-][a-z0-9]+)*-[a-z0-9]+([.-][a-z0-9]+)*$`)

// focusOnIDs turns the spec IDs among focus into a label filter term
// (id:<ID>), which selects exactly those specs; the other focus strings
// stay regular expressions on the full text. A mix would select the
// specs that match both, so it is refused.
func focusOnIDs(labelFilter string, focus []string) (string, []string, error) {
	var ids, texts []string
	for _, f := range focus {
		if idShaped.MatchString(f) {
			ids = append(ids, report.IDPrefix+f)
		} else {
			texts = append(texts, f)
		}
	}
	switch {
	case len(ids) == 0:
		return labelFilter, focus, nil
	case len(texts) > 0:
		return "", nil, fmt.Errorf("--focus takes spec IDs or regular expressions, not both (IDs %s; expressions %q)",
			strings.Join(ids, ", "), texts)
	}
	idFilter := strings.Join(ids, " || ")
	if labelFilter == "" {
		return idFilter, nil, nil
	}
	return "(" + labelFilter + ") && (" + idFilter + ")", nil, nil
}

// writeVerifyReports writes each suite's reports (writeSuiteReports),
// then the HTML page of this run's conformance reports.
func writeVerifyReports(r Report, suites []string, dir string) ([]string, error) {
	files, conformances, err := writeSuiteReports(r, suites, dir)
	if len(conformances) > 0 {
		page := filepath.Join(dir, "verify-"+RunID+".html")
		if herr := writeHTML(page, conformances); herr != nil {
			err = errors.Join(err, herr)
		} else {
			files = append(files, page)
		}
	}
	return files, err
}

// writeSuiteReports writes, for each suite that had specs to run in a run
// of several suites, the same reports as its own package's run does
// (JUnit, Ginkgo JSON, conformance JSON: <suite>-<run>.*), so that report
// html and report expect read both alike. It returns the files written,
// and the conformance reports among them.
func writeSuiteReports(r Report, suites []string, dir string) (files, conformances []string, err error) {
	var errs []error
	for _, suite := range suites {
		sub, ok := suiteReport(r, suite, suites)
		if !ok {
			continue
		}
		if err := writeReports(sub, suite, dir); err != nil {
			errs = append(errs, err)
			continue
		}
		base := filepath.Join(dir, suite+"-"+RunID)
		files = append(files, base+".junit.xml", base+".ginkgo.json", base+".conformance.json")
		conformances = append(conformances, base+".conformance.json")
	}
	return files, conformances, errors.Join(errs...)
}

// suiteReport is the part of r that belongs to suite: its specs and the
// run's setup and cleanup nodes (whose failure is every suite's). Its run
// time is its share of the run's: the run's wall time in proportion to
// the time its specs took, so that the suites' times add up to the run's,
// serial or parallel. It is false when a filter left out every spec of
// the suite.
func suiteReport(r Report, suite string, suites []string) (Report, bool) {
	sub := r
	sub.SuiteDescription = suite
	sub.SpecReports = nil
	var specs, kept int
	var own, all time.Duration
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			sub.SpecReports = append(sub.SpecReports, s)
			continue
		}
		all += s.RunTime
		if report.SuiteOf(s.Labels(), suites) != suite {
			continue
		}
		specs++
		if !report.FromGinkgo(s).LeftOut() {
			kept++
		}
		own += s.RunTime
		sub.SpecReports = append(sub.SpecReports, s)
	}
	sub.RunTime = 0
	if all > 0 {
		sub.RunTime = time.Duration(float64(r.RunTime) * float64(own) / float64(all))
	}
	return sub, specs == 0 || kept > 0
}

func writeHTML(path string, conformances []string) error {
	_, err := report.WriteHTMLFile(path, conformances)
	return err
}

// verifyRepro runs just this spec again with netconform verify: by its
// ID when it has one, else by its full text.
func verifyRepro(_, fullText string, labels []string) string {
	disruptive := ""
	if slices.Contains(labels, Disruptive) {
		disruptive = " --disruptive"
	}
	focus := "'^" + strings.ReplaceAll(regexp.QuoteMeta(fullText), "'", `'\''`) + "$'"
	if id := report.IDOf(labels); id != "" {
		focus = id
	}
	return fmt.Sprintf("netconform verify --kubeconfig %s%s --focus %s", Current.Kubeconfig, disruptive, focus)
}
