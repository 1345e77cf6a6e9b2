// Package all links every suite into one program. netconform verify runs
// them from it, serially; the Ginkgo suite in this directory (build tag
// allsuites, so that go test ./suites/... still runs each suite once, on
// its own) runs them in one Ginkgo run, which the matrix rows use: one
// preflight, one cleanup and one test binary for every suite, and parallel
// processes that take specs from all of them, not from one suite at a time.
package all

import (
	"github.com/netconform/netconform/suites/dns"
	"github.com/netconform/netconform/suites/ingress"
	"github.com/netconform/netconform/suites/netpol"
	"github.com/netconform/netconform/suites/pods"
	"github.com/netconform/netconform/suites/services"
)

// Names are the suites, in the order a reader builds the concepts up.
// Importing a suite package registers its specs; each spec carries its
// suite's name as a label, which splits one run's report into the suites'.
var Names = []string{pods.Name, services.Name, dns.Name, netpol.Name, ingress.Name}

// Register adds the specs that depend on the cluster under test (one
// Ingress container per IngressClass); call it once the kubeconfig is known.
func Register() error { return ingress.Register() }
