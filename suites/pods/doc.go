// Package pods holds the pods suite's specs: one unique IP per pod, localhost inside a pod, and the full mesh over every node (pod to pod without NAT, node to pod, pod to node, large packets).
//
// The specs are in ordinary (non-test) files so that one binary can run
// every suite (netconform verify); `go test ./suites/pods` runs them as
// before, through pods_suite_test.go.
package pods

// Name is the suite's name: the label its specs carry and the prefix of
// its reports.
const Name = "pods"
