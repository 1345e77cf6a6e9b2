// Package kube is netconform's thin layer over client-go and e2e-framework's
// klient: open a cluster from a kubeconfig with a bounded first contact,
// apply embedded manifests, exec one command (with stdin) in a pod, and the
// readiness checks the rest of the framework waits on.
package kube
