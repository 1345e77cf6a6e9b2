package report

import (
	"path/filepath"
	"testing"
)

func TestWriteReadTally(t *testing.T) {
	r := Report{Suite: "pods", Specs: []Spec{{Name: "a", State: Passed}, {Name: "b", State: Failed, Failure: "boom"}, {Name: "c", State: Passed}}}
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
	if got.Specs[1].Failure != "boom" || got.Summary[Failed] != 1 {
		t.Errorf("round trip lost data: %+v", got)
	}
}
