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
		if _, ok := recipe(n); !ok && n != NetTools && n != Node {
			t.Errorf("image %s has no recipe", n)
		}
	}
}

func TestRegisteredImageBuildsFromItsRecipe(t *testing.T) {
	Register(Image{Name: "test-router", Ref: "docker.io/netconform/test-router:v9.9.9", Recipe: &GoImage{
		Module: "build/test-router", Package: "example.com/router/cmd/test-router", LDFlags: "-X v=1", OnNetBase: true, Dockerfile: "COPY bin /r\n"}})
	defer delete(catalog, "test-router")
	bi, ok := recipe("test-router")
	if !ok {
		t.Fatal("a registered image has no recipe")
	}
	p := bi.program()
	if p.name != "test-router-v9.9.9" || p.module != "build/test-router" || p.pkgs[0] != "example.com/router/cmd/test-router" || !p.cached || p.ldflags != "-X v=1" {
		t.Errorf("program = %+v", p)
	}
	if bi.binary != "test-router" || !bi.onNet || bi.body != "COPY bin /r\n" {
		t.Errorf("recipe = %+v", bi)
	}
	if Ref("test-router") != "docker.io/netconform/test-router:v9.9.9" {
		t.Error("registered image not in the catalog")
	}
	for _, bad := range []Image{{Name: "test-router", Ref: "x", Recipe: &GoImage{Module: "m", Package: "p"}}, {Name: "norecipe", Ref: "x"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%+v) did not panic", bad)
				}
			}()
			Register(bad)
		}()
	}
}
