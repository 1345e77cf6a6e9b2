package cni

import (
	"slices"
	"testing"

	"github.com/netconform/netconform/framework/images"
)

// Cilium's images build only on demand: `netconform images build` (CI)
// must not spend the agent's cold build on a CNI no row runs.
func TestCiliumImagesAreOnDemand(t *testing.T) {
	defaults := images.Defaults()
	for _, name := range []string{CiliumAgentImage, CiliumOperatorImage} {
		if _, err := images.Get(name); err != nil {
			t.Errorf("image %s not registered: %v", name, err)
		}
		if slices.Contains(defaults, name) {
			t.Errorf("image %s is built by default", name)
		}
	}
	if _, err := Lookup("cilium"); err == nil {
		t.Error("cilium is installable before it has a manifest")
	}
	if d, ok := Describe("cilium"); !ok || d.DaemonSets[0] != "cilium" {
		t.Errorf("cilium is not detected by its agent DaemonSet: %+v", d)
	}
}
