package e2e

import (
	"bytes"
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

	"github.com/netconform/netconform/framework/report"
)

// VerifyOptions configures Verify: what the command line of netconform
// verify says, instead of Ginkgo's own flags.
type VerifyOptions struct {
	// Suites are the names of the suites linked into the program, in the
	// order of the summary. Each is a label its specs carry, which groups
	// them into one set of reports per suite, as go test writes them.
	Suites      []string
	LabelFilter string
	Focus       []string      // regular expressions on the spec's full text
	Timeout     time.Duration // the whole run's bound (Ginkgo's default is 1h)
	Progress    Progress
	// Log receives Ginkgo's own account of the run: each failure in full,
	// with what its spec logged. Discarded when nil.
	Log io.Writer
}

// Progress hears of a Verify run as it goes; Verify calls it from the
// one process that runs the specs, one call at a time.
type Progress interface {
	// Begin comes before anything runs: how many specs will run.
	Begin(types.Report)
	// Ready comes once the cluster passed preflight.
	Ready(Env)
	SpecStarted(types.SpecReport)
	SpecFinished(types.SpecReport)
}

// VerifyResult is a finished Verify run.
type VerifyResult struct {
	Report Report
	// Passed is Ginkgo's verdict: no spec, setup, cleanup or report
	// node failed, and the run was not interrupted.
	Passed bool
	Files  []string // the reports written
	// ReportsErr is why the reports could not all be written.
	ReportsErr error
}

// verifyT is the GinkgoTestingT of a run outside go test.
type verifyT struct{ failed bool }

func (t *verifyT) Fail() { t.failed = true }

// Verify runs every spec registered in this process (each suite package
// registers its specs when imported; ingress by its Register), serially,
// against the cluster given by -kubeconfig or $KUBECONFIG. It shares
// everything else with RunSuite: preflight, the run ID, cleanup, the
// Disruptive default, the reports. It can run once per process.
func Verify(opts VerifyOptions) (VerifyResult, error) {
	var res VerifyResult
	if KubeconfigPath() == "" {
		return res, errors.New("no cluster given: pass --kubeconfig PATH or set $KUBECONFIG (verify never creates a cluster)")
	}
	ChooseRunID()
	repro = verifyRepro
	onReady = opts.Progress.Ready
	err := registerSuiteNodes(func(r Report) error {
		var err error
		res.Files, err = writeVerifyReports(r, opts.Suites, *reportDir)
		res.ReportsErr = err
		return err
	})
	if err != nil {
		return res, err
	}
	ReportBeforeSuite(func(r Report) { opts.Progress.Begin(r) })
	ReportBeforeEach(func(s SpecReport) { opts.Progress.SpecStarted(s) })
	ReportAfterEach(func(s SpecReport) { opts.Progress.SpecFinished(s) })
	ReportAfterSuite("verify result", func(r Report) { res.Report = r })

	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.LabelFilter = withDisruptive(opts.LabelFilter, *disruptive)
	suiteConfig.FocusStrings = opts.Focus
	if opts.Timeout > 0 {
		suiteConfig.Timeout = opts.Timeout
	}
	reporterConfig.NoColor = true
	// Ginkgo's console reporter writes here; the caller prints progress.
	formatter.ColorableStdOut = io.Discard
	if opts.Log != nil {
		formatter.ColorableStdOut = opts.Log
	}
	t := &verifyT{}
	res.Passed = RunSpecs(t, "netconform verify", suiteConfig, reporterConfig, guardSuite()) && !t.failed
	return res, nil
}

// SuiteOf is the suite a spec belongs to: the first of suites among its
// labels ("" when none).
func SuiteOf(labels, suites []string) string {
	for _, s := range suites {
		if slices.Contains(labels, s) {
			return s
		}
	}
	return ""
}

// Unsupported returns the reason a spec ended NotSupported (false when it
// did not).
func Unsupported(s SpecReport) (string, bool) {
	if s.State != types.SpecStateSkipped || !strings.HasPrefix(s.Failure.Message, notSupportedPrefix) {
		return "", false
	}
	return strings.TrimPrefix(s.Failure.Message, notSupportedPrefix), true
}

// FilteredOut reports whether a label filter or focus left the spec out:
// Ginkgo reports it skipped, with no message.
func FilteredOut(s SpecReport) bool {
	return s.State == types.SpecStateSkipped && s.Failure.Message == ""
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
		if SuiteOf(s.Labels(), suites) != suite {
			continue
		}
		specs++
		if !FilteredOut(s) {
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
	columns, err := report.ReadColumns(conformances)
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := report.WriteHTML(&page, columns); err != nil {
		return err
	}
	return os.WriteFile(path, page.Bytes(), 0o644)
}

// verifyRepro runs just this spec again with netconform verify.
func verifyRepro(_, fullText string, labels []string) string {
	disruptive := ""
	if slices.Contains(labels, Disruptive) {
		disruptive = " --disruptive"
	}
	return fmt.Sprintf("netconform verify --kubeconfig %s%s --focus '^%s$'", Current.Kubeconfig, disruptive,
		strings.ReplaceAll(regexp.QuoteMeta(fullText), "'", `'\''`))
}
