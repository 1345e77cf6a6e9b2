// Package services holds the services suite's specs: ClusterIP, NodePort, LoadBalancer, session affinity, multi-port, externalTrafficPolicy and hairpin.
//
// The specs are in ordinary (non-test) files so that one binary can run
// every suite (netconform verify); `go test ./suites/services` runs them as
// before, through services_suite_test.go.
package services

// Name is the suite's name: the label its specs carry and the prefix of
// its reports.
const Name = "services"
