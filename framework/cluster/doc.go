// Package cluster creates and deletes the kind clusters netconform runs its
// suites on, through kind's Go API, and opens any cluster by kubeconfig.
//
// A cluster it creates has one control plane and N workers, kind's default
// CNI disabled and one of ours installed (package cni), the images it needs
// loaded into every node, and is only handed out once every node is Ready,
// CoreDNS is Ready and a pod on each node reaches a pod on every other node.
package cluster
