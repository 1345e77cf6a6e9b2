package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netconform/netconform/framework/report"
)

// Flags may follow the reports, as in the documented
// "netconform report html reports/* -o matrix.html".
func TestReportHTMLTakesFlagsAfterTheReports(t *testing.T) {
	dir := t.TempDir()
	for _, cni := range []string{"kube-router", "flannel"} {
		r := report.Report{Suite: "pods", Specs: []report.Spec{{Name: "Pod networking works on " + cni, State: report.Passed}}}
		if err := report.Write(filepath.Join(dir, "reports", cni, "pods-nc-1.conformance.json"), r); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "matrix.html")
	err := run(context.Background(), []string{"report", "html",
		filepath.Join(dir, "reports", "kube-router"), filepath.Join(dir, "reports", "flannel", "pods-nc-1.conformance.json"), "-o", out})
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Pod networking works on kube-router", "Pod networking works on flannel", `data-column="flannel"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if err := run(context.Background(), []string{"report", "html", "-o", out}); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no reports: err = %v, want the usage", err)
	}
}

// A failed spec is printed with its whole message, however many lines,
// and a passed one not at all.
func TestReportFailuresPrintsEachFailureWhole(t *testing.T) {
	r := report.Report{Suite: "services", Specs: []report.Spec{
		{Name: "answers", State: report.Passed},
		{Name: "is restored", State: report.Failed, Location: "loadbalancer.go:325", Failure: "speaker not ready\non nc-worker2: ErrImagePull"},
	}}
	columns := []report.Column{{Dir: "reports/flannel", Reports: []report.Report{r}}}
	var out strings.Builder
	writeFailures(&out, columns)
	want := "FAILED reports/flannel: is restored\n  speaker not ready\n  at loadbalancer.go:325\n  speaker not ready\n  on nc-worker2: ErrImagePull\n1 failed spec(s)\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
