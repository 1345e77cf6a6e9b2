package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/netconform/netconform/framework/report"
)

func labelled(suite, text string, state types.SpecState, message string, extra ...string) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, State: state,
		ContainerHierarchyLabels: [][]string{append([]string{suite}, extra...)}, Failure: types.Failure{Message: message}}
}

// One verify run covers every suite; its reports are split by suite label
// into the files go test writes, so report html groups them alike.
func TestVerifyReportsSplitTheRunBySuite(t *testing.T) {
	suites := []string{"pods", "dns", "netpol"}
	r := types.Report{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStatePassed},
		labelled("pods", "gives every pod an IP", types.SpecStatePassed, ""),
		labelled("dns", "answers SRV", types.SpecStateFailed, "no SRV record", report.IDPrefix+"dns-srv-named-ports"),
		labelled("dns", "breaks on purpose", types.SpecStateSkipped, "", Disruptive),
		labelled("netpol", "denies all ingress", types.SpecStateSkipped, ""), // filtered out: no reports
	}}
	dir := t.TempDir()
	RunID, repro = "t1", verifyRepro
	defer func() { RunID, repro = "", goTestRepro }()
	files, err := writeVerifyReports(r, suites, dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	want := "pods-t1.junit.xml pods-t1.ginkgo.json pods-t1.conformance.json dns-t1.junit.xml dns-t1.ginkgo.json dns-t1.conformance.json verify-t1.html"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("files %s\nwant %s", got, want)
	}
	dns, err := report.Read(filepath.Join(dir, "dns-t1.conformance.json"))
	if err != nil {
		t.Fatal(err)
	}
	if dns.Suite != "dns" || len(dns.Specs) != 2 || dns.Summary[report.Failed] != 1 {
		t.Errorf("dns report: suite %q, %d specs, summary %v", dns.Suite, len(dns.Specs), dns.Summary)
	}
	for _, s := range dns.Specs {
		if s.State == report.Failed && (s.ID != "dns-srv-named-ports" || !strings.HasSuffix(s.Repro, " --focus dns-srv-named-ports")) {
			t.Errorf("failed spec %q: ID %q, repro %q; want its ID, rerun by it", s.Name, s.ID, s.Repro)
		}
	}
	junit, err := os.ReadFile(filepath.Join(dir, "dns-t1.junit.xml"))
	if err != nil || !strings.Contains(string(junit), "id:dns-srv-named-ports") {
		t.Errorf("the JUnit report does not name the spec's ID (%v)", err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "verify-t1.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"answers SRV", "gives every pod an IP"} {
		if !strings.Contains(string(page), s) {
			t.Errorf("the HTML page lacks %q", s)
		}
	}
}

func TestVerifyReproNamesDisruptive(t *testing.T) {
	Current.Kubeconfig = "k"
	defer func() { Current.Kubeconfig = "" }()
	got := verifyRepro("dns", "Cluster DNS, broken on purpose, fails when CoreDNS is at 0", []string{"dns", Disruptive})
	want := `netconform verify --kubeconfig k --disruptive --focus '^Cluster DNS, broken on purpose, fails when CoreDNS is at 0$'`
	if got != want {
		t.Errorf("repro %s\nwant %s", got, want)
	}
}

// In one run of several suites, parallel or serial, each suite's run time
// is its share of the run's wall time, by the time its specs took: the
// columns of the matrix page add up to the run, not to the processes' sum.
func TestSuiteRunTimesShareTheRunsWallTime(t *testing.T) {
	spec := func(suite string, took time.Duration) types.SpecReport {
		s := labelled(suite, suite+" spec", types.SpecStatePassed, "")
		s.RunTime = took
		return s
	}
	// 4 processes: 80 s of specs in a 20 s run.
	r := types.Report{RunTime: 20 * time.Second, SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStatePassed, RunTime: 5 * time.Second},
		spec("pods", 20*time.Second), spec("dns", 50*time.Second), spec("dns", 10*time.Second),
	}}
	suites := []string{"pods", "dns", "netpol"}
	var sum time.Duration
	for suite, want := range map[string]time.Duration{"pods": 5 * time.Second, "dns": 15 * time.Second} {
		sub, ok := suiteReport(r, suite, suites)
		if !ok || sub.RunTime != want {
			t.Errorf("%s: run time %s (kept %v), want %s", suite, sub.RunTime, ok, want)
		}
		sum += sub.RunTime
	}
	if sum != r.RunTime {
		t.Errorf("the suites' times add up to %s, the run took %s", sum, r.RunTime)
	}
	if _, ok := suiteReport(r, "netpol", suites); !ok {
		t.Error("a suite with no spec in the run must still get its (empty) report")
	}
}

// A spec with an ID reruns by it.
func TestVerifyReproUsesTheID(t *testing.T) {
	Current.Kubeconfig = "k"
	defer func() { Current.Kubeconfig = "" }()
	got := verifyRepro("dns", "Cluster DNS answers SRV", []string{"dns", report.IDPrefix + "dns-srv"})
	if want := "netconform verify --kubeconfig k --focus dns-srv"; got != want {
		t.Errorf("repro %s\nwant %s", got, want)
	}
}

// --focus takes a spec's ID, which selects it by its id: label; anything
// else stays a regular expression on the full text.
func TestFocusOnIDs(t *testing.T) {
	for _, c := range []struct {
		filter string
		focus  []string
		want   string
		texts  []string
		err    bool
	}{
		{"", []string{"test-focus-a"}, "id:test-focus-a", nil, false},
		{"dns", []string{"test-focus-a", "test-focus-b"}, "(dns) && (id:test-focus-a || id:test-focus-b)", nil, false},
		{"dns", []string{"answers SRV"}, "dns", []string{"answers SRV"}, false},
		{"", []string{"test-focus-a", "answers"}, "", nil, true},
		// IDs are given out as the spec tree is built, after the filters
		// are set: an ID no spec has claimed yet is still an ID.
		{"", []string{"pods-nonat-tcp-udp"}, "id:pods-nonat-tcp-udp", nil, false},
		{"", []string{"Pod networking delivers"}, "", []string{"Pod networking delivers"}, false},
	} {
		filter, texts, err := focusOnIDs(c.filter, c.focus)
		if filter != "" {
			// Ginkgo takes the filter, and it selects the spec by its ID only.
			match, perr := types.ParseLabelFilter(withDisruptive(filter, false))
			if perr != nil {
				t.Errorf("Ginkgo rejects %q: %v", filter, perr)
			} else if id := c.focus[0]; strings.Contains(filter, "id:") && (!match([]string{"dns", "id:" + id}) || match([]string{"dns", "id:" + id + "x"})) {
				t.Errorf("%q does not select exactly id:%s", filter, id)
			}
		}
		if filter != c.want || strings.Join(texts, "|") != strings.Join(c.texts, "|") || (err != nil) != c.err {
			t.Errorf("focusOnIDs(%q, %q) = %q, %q, %v", c.filter, c.focus, filter, texts, err)
		}
	}
}

// Verify never creates a cluster: without one it stops before anything
// is registered, saying how to give one.
func TestVerifyWithoutAClusterSaysHowToGiveOne(t *testing.T) {
	t.Setenv("KUBECONFIG", "")
	res, err := Verify(t.Context(), VerifyOptions{Suites: []string{"pods"}})
	if err == nil || !strings.Contains(err.Error(), "--kubeconfig") || res.RunID != "" {
		t.Errorf("err %v, run %q; want no run and the way to give a cluster", err, res.RunID)
	}
}

// A run's result says why it did not pass, for the exit status.
func TestVerifyResultErr(t *testing.T) {
	failed := report.Summarize([]report.Spec{{Name: "a", Labels: []string{"pods"}, State: report.Failed}}, []string{"pods"}, nil)
	passed := report.Summarize([]report.Spec{{Name: "a", Labels: []string{"pods"}, State: report.Passed}}, []string{"pods"}, nil)
	for _, c := range []struct {
		res  VerifyResult
		want string
	}{
		{VerifyResult{Passed: true, Summary: passed}, ""},
		{VerifyResult{Passed: false, Summary: failed}, "1 spec(s) failed"},
		{VerifyResult{Passed: false, Summary: passed}, "the run did not pass (see above)"},
		// A filter that selects nothing is no pass: nothing was checked.
		{VerifyResult{Passed: true}, "no spec ran: the label filter and --focus select none (a spec's ID is in the summary, the reports and the HTML page)"},
		{VerifyResult{Passed: true, Summary: passed, ReportsErr: os.ErrPermission}, "writing the reports: permission denied"},
	} {
		got := ""
		if err := c.res.Err(); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Err() = %q, want %q", got, c.want)
		}
	}
}

// go test reruns a spec by its ID's label, with -disruptive when the
// spec breaks the cluster on purpose (the default filter leaves it out).
func TestGoTestRepro(t *testing.T) {
	Current.Kubeconfig = "k"
	defer func() { Current.Kubeconfig = "" }()
	for _, c := range []struct {
		labels []string
		want   string
	}{
		{[]string{"dns", report.IDPrefix + "dns-srv-named-ports"}, "go test ./suites/dns/ -count=1 -args -kubeconfig k -ginkgo.label-filter id:dns-srv-named-ports"},
		{[]string{"dns", Disruptive, report.IDPrefix + "dns-broken-coredns-zero"}, "go test ./suites/dns/ -count=1 -args -kubeconfig k -disruptive -ginkgo.label-filter id:dns-broken-coredns-zero"},
		{[]string{"dns"}, "go test ./suites/dns/ -count=1 -args -kubeconfig k -ginkgo.focus '^Cluster DNS answers SRV$'"},
	} {
		if got := goTestRepro("dns", "Cluster DNS answers SRV", c.labels); got != c.want {
			t.Errorf("repro %s\nwant  %s", got, c.want)
		}
	}
}
