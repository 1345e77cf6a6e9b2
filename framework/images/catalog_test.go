package images

import "testing"

func TestRemap(t *testing.T) {
	cases := []struct{ ref, registry, want string }{
		{"registry.k8s.io/pause:3.10.1", "", "registry.k8s.io/pause:3.10.1"},
		{"registry.k8s.io/pause:3.10.1", "mirror:5000", "mirror:5000/pause:3.10.1"},
		{"registry.k8s.io/coredns/coredns:v1.12.1", "mirror:5000/", "mirror:5000/coredns/coredns:v1.12.1"},
		{"docker.io/netconform/agent:0.1.0", "localhost:5000", "localhost:5000/netconform/agent:0.1.0"},
		{"netconform/agent:0.1.0", "m.example", "m.example/netconform/agent:0.1.0"},
	}
	for _, c := range cases {
		if got := Remap(c.ref, c.registry); got != c.want {
			t.Errorf("Remap(%q, %q) = %q, want %q", c.ref, c.registry, got, c.want)
		}
	}
}

func TestCatalogTagsWhatKubeadmExpects(t *testing.T) {
	want := map[string]string{
		Etcd:    "registry.k8s.io/etcd:3.6.5-0",
		CoreDNS: "registry.k8s.io/coredns/coredns:v1.12.1",
		Pause:   "registry.k8s.io/pause:3.10.1",
	}
	for name, ref := range want {
		if got := Ref(name); got != ref {
			t.Errorf("Ref(%s) = %s, want %s", name, got, ref)
		}
	}
	if _, err := Get("nope"); err == nil {
		t.Error("Get of an unknown name did not fail")
	}
}

func TestEveryImageHasARecipe(t *testing.T) {
	for _, n := range Names() {
		if _, ok := binaryImages[n]; !ok && n != NetTools && n != Node {
			t.Errorf("image %s has no recipe", n)
		}
	}
}
