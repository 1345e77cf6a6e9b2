package cni

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A CNI's version is written once, in its descriptor: its build module
// requires the same upstream version, its images' version ldflags say it,
// and no other Go source of this package spells it again (a second copy
// is one a version bump forgets, and the agent then reports a version it
// does not run).
func TestVersionWrittenOnce(t *testing.T) {
	sources := packageSources(t)
	for _, name := range Known() {
		p, _ := Lookup(name)
		if p.Name != p.Descriptor.Name {
			continue // a variant: its descriptor's check covers it
		}
		bare := strings.TrimPrefix(p.Version, "v")
		for _, img := range p.Images {
			recipe := img.Recipe
			if recipe == nil {
				continue
			}
			if got := requiredVersion(t, recipe.Module, recipe.Package); got != p.Version {
				t.Errorf("%s: %s/go.mod requires %s at %s, the descriptor says %s", name, recipe.Module, recipe.Package, got, p.Version)
			}
			if recipe.LDFlags != "" && !strings.Contains(recipe.LDFlags, bare) {
				t.Errorf("%s: image %s's ldflags %q do not carry the descriptor's version %s", name, img.Name, recipe.LDFlags, p.Version)
			}
		}
		spelled, times := []string{}, 0
		for file, src := range sources {
			if n := strings.Count(src, bare); n > 0 {
				spelled, times = append(spelled, fmt.Sprintf("%s (%d)", file, n)), times+n
			}
		}
		if times != 1 {
			t.Errorf("%s: version %s written %d times, in %v; want once, in its descriptor", name, bare, times, spelled)
		}
	}
}

// packageSources are this package's non-test Go files, by name.
func packageSources(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(b)
	}
	return out
}

// requiredVersion is the version module (a build wrapper's directory,
// from the repository root) requires of the module that provides pkg.
func requiredVersion(t *testing.T, module, pkg string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", module, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	best, version := "", ""
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) < 2 || !(pkg == f[0] || strings.HasPrefix(pkg, f[0]+"/")) || len(f[0]) <= len(best) {
			continue
		}
		best, version = f[0], f[1]
	}
	if best == "" {
		t.Fatalf("%s/go.mod requires no module providing %s", module, pkg)
	}
	return version
}
