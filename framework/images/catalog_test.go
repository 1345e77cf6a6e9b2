package images

import (
	"strings"
	"testing"
)

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

// An OnDemand image is in the catalog (it builds when named) but not among
// the Defaults that `netconform images build` and CI build.
func TestOnDemandImagesAreNotDefaults(t *testing.T) {
	Register(Image{Name: "test-costly", Ref: "docker.io/netconform/test-costly:v1", OnDemand: true,
		Recipe: &GoImage{Module: "build/test-costly", Package: "example.com/costly/cmd/agent"}})
	defer delete(catalog, "test-costly")
	if _, err := Get("test-costly"); err != nil {
		t.Fatalf("an OnDemand image is not in the catalog: %v", err)
	}
	defaults := Defaults()
	for _, n := range defaults {
		if n == "test-costly" {
			t.Errorf("OnDemand image test-costly is among the defaults %v", defaults)
		}
	}
	for _, want := range []string{Agent, Node, KubeProxy} {
		found := false
		for _, n := range defaults {
			found = found || n == want
		}
		if !found {
			t.Errorf("default image %s missing from %v", want, defaults)
		}
	}
}

// Further packages of a recipe are built in the same go build, with its tags.
func TestRecipeBuildsItsFurtherPackagesWithItsTags(t *testing.T) {
	Register(Image{Name: "test-multi", Ref: "docker.io/netconform/test-multi:v2", Recipe: &GoImage{
		Module: "build/test-multi", Package: "example.com/m/daemon", Packages: []string{"example.com/m/plugins/m-cni"}, Tags: "osusergo,x"}})
	defer delete(catalog, "test-multi")
	bi, _ := recipe("test-multi")
	p := bi.program()
	if strings.Join(p.pkgs, " ") != "example.com/m/daemon example.com/m/plugins/m-cni" || p.tags != "osusergo,x" || bi.binary != "daemon" {
		t.Errorf("program = %+v, binary %s", p, bi.binary)
	}
}
