// Package netpol holds the netpol suite's specs: each NetworkPolicy case as a truth table, expected values computed from the objects, observed by probing every pod pair.
//
// The specs are in ordinary (non-test) files so that one binary can run
// every suite (netconform verify); `go test ./suites/netpol` runs them as
// before, through netpol_suite_test.go.
package netpol

// Name is the suite's name: the label its specs carry and the prefix of
// its reports.
const Name = "netpol"
