package cluster

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFreezerGroupReadsTheV1Line(t *testing.T) {
	dir := t.TempDir()
	v1 := filepath.Join(dir, "v1")
	os.WriteFile(v1, []byte("7:blkio:/docker/abc\n6:freezer:/docker/abc\n0::/docker/abc\n"), 0o644)
	v2 := filepath.Join(dir, "v2")
	os.WriteFile(v2, []byte("0::/system.slice/docker-abc.scope\n"), 0o644)
	if g, err := freezerGroup(v1); err != nil || g != "/docker/abc" {
		t.Errorf("v1: %q, %v", g, err)
	}
	if g, err := freezerGroup(v2); err != nil || g != "" {
		t.Errorf("v2 has no freezer line: %q, %v", g, err)
	}
}

// Only the frozen groups are written, however deep they are.
func TestThawUnderThawsOnlyFrozenGroups(t *testing.T) {
	root := t.TempDir()
	state := func(rel, s string) string {
		d := filepath.Join(root, rel)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "freezer.state"), []byte(s+"\n"), 0o644)
		return d
	}
	state(".", "THAWED")
	frozen := state("kubelet.slice/pod/cri-containerd-x.scope", "FROZEN")
	freezing := state("kubelet.slice/pod/cri-containerd-y.scope", "FREEZING")
	state("kubelet.slice/other", "THAWED")
	thawed, err := thawUnder(root)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(thawed)
	if want := []string{frozen, freezing}; !slices.Equal(thawed, want) {
		t.Fatalf("thawed %v, want %v", thawed, want)
	}
	for _, d := range thawed {
		if b, _ := os.ReadFile(filepath.Join(d, "freezer.state")); string(b) != "THAWED" {
			t.Errorf("%s: %q", d, b)
		}
	}
}
