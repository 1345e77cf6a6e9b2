package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/reach"
	"github.com/netconform/netconform/framework/report"
)

// NotSupported ends the spec as unsupported by the cluster, not failed.
func NotSupported(reason string) {
	Skip(report.UnsupportedPrefix + reason)
}

// Report entries a spec can attach for the conformance report.
const (
	EntryExpected = report.EntryExpected
	EntryObserved = report.EntryObserved
	EntryDiff     = report.EntryDiff
	// EntryWaited is the seconds a spec waited for the cluster's lock
	// (lockSpec), taken out of its time in the conformance report.
	EntryWaited = report.EntryWaited
)

// Mismatch is what a failed matrix leaves for the report: per case, the
// expected and observed tables and their comparison.
type Mismatch struct {
	Legend                   string // what the short names in the tables stand for
	expected, observed, diff []string
}

// Add records one case that did not match.
func (m *Mismatch) Add(name string, expected, observed *reach.Table) {
	_, comparison := reach.Compare(expected, observed)
	m.expected = append(m.expected, name+":\n"+expected.String())
	m.observed = append(m.observed, name+":\n"+observed.String())
	m.diff = append(m.diff, name+":\n"+comparison)
}

// ReportMismatch attaches a failed matrix's tables to the current spec's
// report, as the conformance report's expected, observed and diff.
func ReportMismatch(m Mismatch) {
	head := ""
	if m.Legend != "" {
		head = m.Legend + "\n"
	}
	AddReportEntry(EntryExpected, head+strings.Join(m.expected, "\n"), ReportEntryVisibilityNever)
	AddReportEntry(EntryObserved, head+strings.Join(m.observed, "\n"), ReportEntryVisibilityNever)
	AddReportEntry(EntryDiff, head+strings.Join(m.diff, "\n"), ReportEntryVisibilityNever)
}

// prepareReportDir makes sure the reports can be written before any spec
// runs: a run whose reports are lost at the end is a wasted run.
func prepareReportDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("-report-dir (or NETCONFORM_REPORT_DIR): %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-check-")
	if err != nil {
		return fmt.Errorf("-report-dir (or NETCONFORM_REPORT_DIR) %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

func writeReports(r Report, suite, dir string) error {
	base := filepath.Join(dir, suite+"-"+RunID)
	return errors.Join(
		reporters.GenerateJUnitReport(r, base+".junit.xml"),
		reporters.GenerateJSONReport(r, base+".ginkgo.json"),
		report.Write(base+".conformance.json", conformance(r, suite)))
}

// conformance turns Ginkgo's report into netconform's.
func conformance(r Report, suite string) report.Report {
	out := report.Report{Suite: suite, RunID: RunID, CNI: Current.CNI, Features: Current.Features, Started: r.StartTime, Seconds: r.RunTime.Seconds(),
		Cluster: report.Cluster{Kubeconfig: Current.Kubeconfig, Embedded: Current.Embedded, Nodes: Current.Nodes}}
	if Cluster != nil {
		out.Cluster.Host, out.Cluster.KubernetesVersion = Cluster.Config.Host, Cluster.Version
	}
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		spec := report.FromGinkgo(s)
		if spec.State == report.Failed || spec.State == report.Interrupted {
			spec.Repro = repro(suite, s.FullText(), s.Labels())
		}
		out.Specs = append(out.Specs, spec)
	}
	out.Tally()
	return out
}

// repro is a command that runs just this spec against the same cluster:
// goTestRepro, or verifyRepro in a run of netconform verify.
var repro = goTestRepro

func goTestRepro(suite, fullText string, labels []string) string {
	flags := " -kubeconfig " + Current.Kubeconfig
	if Current.Embedded != "" {
		flags += " -keep-cluster"
	}
	if slices.Contains(labels, Disruptive) {
		flags += " -disruptive"
	}
	selector := fmt.Sprintf("-ginkgo.focus '^%s$'", strings.ReplaceAll(regexp.QuoteMeta(fullText), "'", `'\''`))
	if id := report.IDOf(labels); id != "" {
		selector = "-ginkgo.label-filter " + report.IDPrefix + id
	}
	return fmt.Sprintf("go test ./suites/%s/ -count=1 -args%s %s", suite, flags, selector)
}

// Requires ends the spec as NotSupported when the cluster lacks one of the
// features, as detected once for the run (CNI profile, kernels, installed
// implementations). A cluster that claims a feature is tested, and fails if
// it does not deliver. The spec must carry each feature's label
// (feature.X.Label()), so that label filters and `report expect` see the
// same specs as the gate; a spec without it fails, naming the label.
func Requires(fs ...feature.Feature) {
	GinkgoHelper()
	if missing := unlabelled(CurrentSpecReport().Labels(), fs); missing != "" {
		Fail(missing)
	}
	if why := Missing(fs...); why != "" {
		NotSupported(why)
	}
}

// Missing says which of the features the cluster lacks, and why ("" when
// it has them all), for specs that go on without a part they cannot run.
func Missing(fs ...feature.Feature) string {
	for _, f := range fs {
		if ok, reason := Current.Features.Supports(f); !ok {
			return fmt.Sprintf("%s: %s", f, reason)
		}
	}
	return ""
}

// unlabelled says which of the features lacks its label among labels ("" when none).
func unlabelled(labels []string, fs []feature.Feature) string {
	for _, f := range fs {
		if !slices.Contains(labels, f.Label()) {
			return fmt.Sprintf("the spec requires feature %s but lacks its label %s: add Label(feature.%s.Label())", f, f.Label(), f)
		}
	}
	return ""
}
