// Package ingress is the contract an Ingress controller meets, as the CNI
// descriptor is a CNI's, and knows controllers as the suites meet them:
// which IngressClasses a cluster has, which pods and Service serve each
// (Find, by the descriptor's pod labels, else by the pods' image), where
// a request can enter (the runner's host through a LoadBalancer address
// or a NodePort, a pod through the ClusterIP), what each controller is
// known not to do (its descriptor's profile), what a Disruptive proof may
// break (Stop, for any controller run by a Deployment, and each
// descriptor's Breaks), and whether an answer came from the backend a
// route expects. It is plain Go and never imports Ginkgo; the suites
// never name a controller.
//
// A new Ingress controller netconform installs is:
//   - framework/addon/<name>.go: its image (with its build recipe) and a
//     Descriptor passed to Register (IngressClass controller, pod labels,
//     Lacks, Breaks), whose add-on applies the manifest and waits;
//   - framework/addon/manifests/<name>.yaml: Namespace, IngressClass,
//     Deployment, and a Service of type LoadBalancer it publishes into
//     Ingress status;
//   - build/<name>/go.mod: the module its image is built from, offline;
//   - a case in framework/addon/addon_test.go (TestControllerManifests);
//   - its name in cluster.DefaultAddOns for the embedded cluster to
//     carry it.
//
// No suite changes: the Ingress suite runs its specs once per
// IngressClass it finds. One netconform only recognises is an entry in
// framework/addon/known.go.
package ingress
