// Package ingress is the contract an Ingress controller meets, as the CNI
// descriptor is a CNI's, and knows controllers as the suites meet them:
// which IngressClasses a cluster has, which pods and Service serve each
// (Find, by the descriptor's pod labels, else by the pods' image), where
// a request can enter (the runner's host through a LoadBalancer address
// or a NodePort, a pod through the ClusterIP), what each controller is
// known not to do (its descriptor's profile), what a Disruptive proof may
// break (Stop, and each descriptor's Breaks), and whether an answer came
// from the backend a route expects. It is plain Go and never imports
// Ginkgo; the suites never name a controller.
//
// A new Ingress controller netconform installs is:
//   - framework/addon/<name>.go: its images and a Descriptor passed to
//     Register (IngressClass controller, pod labels, Lacks, Breaks), with
//     its add-on (steps that apply the manifest and wait);
//   - framework/addon/manifests/<name>.yaml: its manifest, a template;
//   - build/<name>/go.mod: the module its image is built from, offline;
//   - a case in framework/addon/addon_test.go.
//
// One netconform only recognises is a Descriptor in
// framework/addon/known.go.
package ingress
