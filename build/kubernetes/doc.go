// Package kubernetes is a build wrapper: it exists only so that `go build`
// can compile the Kubernetes commands from the k8s.io/kubernetes module,
// whose staging modules are replaced with their published versions.
package kubernetes
