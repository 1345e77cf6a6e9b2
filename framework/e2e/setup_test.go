package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWithDisruptive(t *testing.T) {
	for _, c := range []struct {
		filter  string
		enabled bool
		want    string
	}{
		{"", false, "!Disruptive"},
		{"dns", false, "(dns) && !Disruptive"},
		{"Disruptive", false, "Disruptive"},
		{"!Disruptive && pods", false, "!Disruptive && pods"},
		{"", true, ""},
		{"netpol", true, "netpol"},
	} {
		if got := withDisruptive(c.filter, c.enabled); got != c.want {
			t.Errorf("withDisruptive(%q, %v) = %q, want %q", c.filter, c.enabled, got, c.want)
		}
	}
}

func TestPrepareReportDir(t *testing.T) {
	tmp := t.TempDir()
	nested := filepath.Join(tmp, "a", "b")
	if err := prepareReportDir(nested); err != nil {
		t.Fatalf("a missing directory is created: %v", err)
	}
	if left, _ := os.ReadDir(nested); len(left) != 0 {
		t.Errorf("the write check left %d files behind", len(left))
	}
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := prepareReportDir(file)
	if err == nil || !strings.Contains(err.Error(), "report-dir") {
		t.Errorf("a file as report dir: got %v, want an error naming -report-dir", err)
	}
	if err := prepareReportDir(""); err != nil {
		t.Errorf("no report dir is fine: %v", err)
	}
}
