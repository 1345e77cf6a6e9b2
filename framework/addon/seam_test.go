package addon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/loadbalancer"
)

// The suites ask framework/loadbalancer and framework/ingress for the
// implementations a cluster runs: none imports this package or names an
// implementation it installs, so a new one needs no suite change.
func TestNoSuiteNamesAnImplementation(t *testing.T) {
	var names []string
	for _, d := range loadbalancer.Descriptors() {
		if d.Install != nil {
			names = append(names, d.Name, d.Install.Name())
		}
	}
	for _, d := range ingress.Descriptors() {
		if d.Install != nil {
			names = append(names, d.Product, d.Install.Name())
		}
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "suites", "*", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no suites found: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(string(src))
		if strings.Contains(text, `"github.com/netconform/netconform/framework/addon"`) {
			t.Errorf("%s imports framework/addon", f)
		}
		for _, n := range names {
			if strings.Contains(text, strings.ToLower(n)) {
				t.Errorf("%s names %q", f, n)
			}
		}
	}
}
