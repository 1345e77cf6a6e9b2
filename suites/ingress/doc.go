// Package ingress holds the ingress suite's specs: host and path routing, default backend, TLS, IngressClass, status address and updates, once per IngressClass.
//
// The specs are in ordinary (non-test) files so that one binary can run
// every suite (netconform verify); `go test ./suites/ingress` runs them as
// before, through ingress_suite_test.go.
package ingress

// Name is the suite's name: the label its specs carry and the prefix of
// its reports.
const Name = "ingress"
