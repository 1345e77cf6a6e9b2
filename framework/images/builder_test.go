package images

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A failed build must leave nothing in the cache that a later run would trust.
func TestFailedBuildLeavesNoCacheEntry(t *testing.T) {
	repo := t.TempDir()
	mod := filepath.Join(repo, "broken")
	os.MkdirAll(mod, 0o755)
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/broken\n\ngo 1.24\n"), 0o644)
	os.WriteFile(filepath.Join(mod, "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644)
	b := &Builder{RepoRoot: repo, CacheDir: t.TempDir()}
	p := goProgram{name: "broken", module: "broken", pkgs: []string{"."}, cached: true}

	if _, err := b.binaries(context.Background(), p); err == nil {
		t.Fatal("building a broken program succeeded")
	}
	entries, _ := os.ReadDir(filepath.Join(b.CacheDir, "bin"))
	for _, e := range entries {
		t.Errorf("cache entry left behind: %s", e.Name())
	}

	// Fixed, it builds, and a second call is served from the cache.
	os.WriteFile(filepath.Join(mod, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	dir, err := b.binaries(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "broken")); err != nil {
		t.Fatalf("binary missing: %v", err)
	}
	before := len(b.Timings())
	if _, err := b.binaries(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if len(b.Timings()) != before {
		t.Error("second build of unchanged inputs was not served from the cache")
	}
}

func TestExplainGoFailureNamesRefusedModule(t *testing.T) {
	out := `go: downloading github.com/flannel-io/cni-plugin v1.1.0
go: github.com/flannel-io/cni-plugin@v1.1.0: reading https://proxy.golang.org/github.com/flannel-io/cni-plugin/@v/v1.1.0.zip: 403 Forbidden`
	err := explainGoFailure(out)
	if !strings.Contains(err.Error(), "github.com/flannel-io/cni-plugin@v1.1.0") || !strings.Contains(err.Error(), "403") {
		t.Errorf("error does not name the refused module and version: %v", err)
	}
}

func TestKubernetesVersionFlags(t *testing.T) {
	ld := kubernetesProgram().ldflags
	for _, want := range []string{"gitVersion=" + KubernetesVersion, "gitMajor=1", "gitMinor=34"} {
		if !strings.Contains(ld, want) {
			t.Errorf("ldflags lack %s: %s", want, ld)
		}
	}
}

// A module directory comes from the module cache at the version the
// wrapper pins, under its own path in the build context.
func TestAddModuleDir(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := FindRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	b := &Builder{RepoRoot: root}
	files := map[string]string{}
	if err := b.addModuleDir(context.Background(), ".", ModuleDir{Module: "github.com/onsi/gomega", Dir: "format"}, files); err != nil {
		t.Fatal(err)
	}
	src, ok := files["format/format.go"]
	if !ok || !strings.Contains(src, "github.com/onsi/gomega@v") {
		t.Fatalf("format/format.go not taken from the module cache: %v", files)
	}
	err = b.addModuleDir(context.Background(), ".", ModuleDir{Module: "github.com/onsi/gomega", Dir: "no-such-dir"}, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "github.com/onsi/gomega@v") || !strings.Contains(err.Error(), "no-such-dir") {
		t.Fatalf("a missing directory must be named with its module and version, got %v", err)
	}
}

func TestDebianBase(t *testing.T) {
	Register(Image{Name: "test-proxy", Ref: "docker.io/netconform/test-proxy:v1", Recipe: &GoImage{
		Module: "build/x", Package: "example.com/x", Debian: []string{"haproxy"}}})
	defer delete(catalog, "test-proxy")
	bi, _ := recipe("test-proxy")
	r, ok := debianBase("test-proxy", bi)
	if !ok || r.name != "test-proxy" || strings.Join(r.packages, ",") != "haproxy" {
		t.Errorf("own Debian base: got %v %v", r, ok)
	}
	if r, ok := debianBase(Agent, binaryImages[Agent]); ok {
		t.Errorf("the agent is on scratch, got %v", r)
	}
	if r, ok := debianBase(KubeProxy, binaryImages[KubeProxy]); !ok || r.name != netRootfs.name {
		t.Errorf("kube-proxy is on the network base, got %v", r)
	}
}

func TestNodeWithTagsOneImagePerSet(t *testing.T) {
	base := Ref(Node)
	a := withTag(base, []string{Ref(Agent), Ref(NetTools)})
	if !strings.HasPrefix(a, base+"-with-") {
		t.Errorf("tag %s is not named after %s", a, base)
	}
	if b := withTag(base, []string{Ref(Agent)}); b == a {
		t.Errorf("two sets of images share the node image %s", a)
	}
	if got, err := NodeWith(context.Background(), base, nil, nil); err != nil || got != base {
		t.Errorf("NodeWith without images = %q, %v; want the base %s", got, err, base)
	}
}
