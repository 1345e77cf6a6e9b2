//go:build allsuites

package all

import (
	"testing"

	// The ginkgo CLI takes a package for a Ginkgo suite only when one of
	// its test files imports Ginkgo.
	_ "github.com/onsi/ginkgo/v2"

	"github.com/netconform/netconform/framework/e2e"
)

// TestAll runs every suite in one Ginkgo run and writes each suite's
// reports as its own package's run would:
//
//	go tool ginkgo --tags allsuites -p --label-filter '!netpol' ./suites/all -- -kubeconfig K
func TestAll(t *testing.T) {
	if err := Register(); err != nil {
		t.Fatal(err)
	}
	e2e.RunSuites(t, Names...)
}
