package report

import (
	"path/filepath"
	"testing"

	"github.com/netconform/netconform/framework/feature"
)

func TestWriteReadTally(t *testing.T) {
	r := Report{Suite: "pods", Features: feature.Set{feature.SCTP: {Supported: false, Reason: "the kernel of node w has no SCTP"}}, Specs: []Spec{{Name: "a", State: Passed}, {Name: "b", State: Failed, Failure: "boom"}, {Name: "c", State: Passed}}}
	r.Tally()
	if r.Summary[Passed] != 2 || r.Summary[Failed] != 1 {
		t.Fatalf("summary = %v", r.Summary)
	}
	path := filepath.Join(t.TempDir(), "sub", "r.json")
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Specs[1].Failure != "boom" || got.Summary[Failed] != 1 || got.Features[feature.SCTP].Reason != "the kernel of node w has no SCTP" {
		t.Errorf("round trip lost data: %+v", got)
	}
}

func TestExpect(t *testing.T) {
	r := Report{Suite: "netpol", Specs: []Spec{
		{Name: "a", Labels: []string{"Feature:NetworkPolicy"}, State: Unsupported, Reason: "no policy"},
		{Name: "b", Labels: []string{"Feature:NetworkPolicy"}, State: Passed},
		{Name: "c", Labels: []string{"Feature:NetworkPolicy", "Disruptive"}, State: Skipped}, // filtered out
		{Name: "d", Labels: []string{"Feature:DNS"}, State: Failed},
	}}
	checked, wrong, err := r.Expect("Feature:NetworkPolicy", Unsupported)
	if err != nil || checked != 2 || len(wrong) != 1 || wrong[0].Name != "b" {
		t.Errorf("Expect = %d, %v, %v; want 2 checked and b wrong", checked, wrong, err)
	}
	if _, _, err := r.Expect("Feature:SCTP", Unsupported); err == nil {
		t.Error("a label no spec ran with must be an error, not a pass")
	}
}
