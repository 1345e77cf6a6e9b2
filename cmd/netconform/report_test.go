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
