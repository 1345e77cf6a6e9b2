// Package cluster creates and deletes the kind clusters netconform runs its
// suites on, through kind's Go API, and opens any cluster by kubeconfig.
//
// Creation is a list of named steps (node image, kind create, egress
// guard, CNI install, add-ons, waits, cross-node check), each run with the
// caller's context, timed and logged. The images the steps run are
// collected from them and baked into the nodes' image (made once per set
// of images), or loaded into the nodes of a cluster that is reused.
// Add-ons (an Ingress controller, a LoadBalancer implementation) bring
// their own images and steps (RegisterAddOn, Config.AddOns).
//
// A cluster it creates has one control plane and N workers, kind's default
// CNI disabled and one of ours installed (package cni, whose descriptor
// gives the manifest, images, pod subnet and agent namespace), and is only
// handed out once every node is Ready, CoreDNS is Ready and a pod on each
// node reaches a pod on every other node.
package cluster
