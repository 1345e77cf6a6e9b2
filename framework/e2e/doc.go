// Package e2e is the only Ginkgo-facing layer of the framework: it turns the
// framework's errors into Gomega failures, ties every object a spec creates
// to DeferCleanup, and labels it with the run ID.
package e2e
