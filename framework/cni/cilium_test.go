package cni

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/e2e-framework/klient/decoder"

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

// The draft manifest renders into Kubernetes objects with our images and
// the settings this machine's kernels need.
func TestCiliumDraftManifest(t *testing.T) {
	d, _ := Describe("cilium")
	draft := *d
	draft.Manifest = ciliumManifest
	p := Plugin{Name: "cilium", Descriptor: &draft, params: ciliumParams}
	m, err := p.Manifest("")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`image: "docker.io/netconform/cilium:v1.20.2"`,
		`image: "docker.io/netconform/cilium-operator-generic:v1.20.2"`,
		"tunnel-protocol: vxlan",
		"ipam: kubernetes",
		`kube-proxy-replacement: "false"`,
		`enable-l7-proxy: "false"`,
		`enable-policy: "default"`,
		"identity-allocation-mode: crd",
	} {
		if !strings.Contains(string(m), want) {
			t.Errorf("manifest lacks %s", want)
		}
	}
	objs, err := decoder.DecodeAll(context.Background(), bytes.NewReader(m))
	if err != nil {
		t.Fatalf("manifest does not decode: %v", err)
	}
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.GetObjectKind().GroupVersionKind().Kind]++
	}
	if kinds["DaemonSet"] != 1 || kinds["Deployment"] != 1 || kinds["ConfigMap"] != 1 || kinds["ClusterRole"] != 2 {
		t.Errorf("objects by kind: %v", kinds)
	}
	if _, err := p.Profile(); err != nil {
		t.Errorf("no profile from the draft: %v", err)
	}
}
