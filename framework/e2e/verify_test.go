package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		labelled("dns", "answers SRV", types.SpecStateFailed, "no SRV record"),
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
		if s.State == report.Failed && !strings.HasPrefix(s.Repro, "netconform verify --kubeconfig ") {
			t.Errorf("repro of %q is not a verify command: %q", s.Name, s.Repro)
		}
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
	Current.Kubeconfig = "/k"
	defer func() { Current.Kubeconfig = "" }()
	got := verifyRepro("dns", "Cluster DNS, broken on purpose, fails when CoreDNS is at 0", []string{"dns", Disruptive})
	want := `netconform verify --kubeconfig /k --disruptive --focus '^Cluster DNS, broken on purpose, fails when CoreDNS is at 0$'`
	if got != want {
		t.Errorf("repro %s\nwant %s", got, want)
	}
}
