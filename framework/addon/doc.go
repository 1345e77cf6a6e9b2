// Package addon holds the implementations a cluster carries besides its
// CNI: the LoadBalancer implementation (MetalLB) and the Ingress
// controllers (Traefik, HAProxy Ingress), each a descriptor file that
// registers its images (with their offline build recipes) and its
// descriptor with the contract it meets, framework/lb or
// framework/ingress, whose add-on installs it (cluster up --addons).
// Importing the package makes them available to `cluster up --addons`,
// `images build`, the embedded cluster and the suites, which ask the
// contracts for "the LoadBalancer" and "the IngressClasses" and never
// import this package.
//
// A new Ingress controller netconform installs is:
//   - <name>.go: its images, and an ingress.Descriptor (its
//     IngressClass controller, pod labels, profile, Breaks) with an
//     add-on whose steps apply the manifest and wait (controllerSteps);
//   - manifests/<name>.yaml: Namespace, IngressClass, Deployment and a
//     Service of type LoadBalancer it publishes into Ingress status;
//   - build/<name>/go.mod: the module its image is built from, offline;
//   - a case in addon_test.go: its manifest renders, its add-on registers.
//
// A new LoadBalancer implementation is the same four, with an
// loadbalancer.Descriptor (controller images, Diagnose, Pool, Break); see
// metallb.go and the metallb_*.go beside it. One netconform only
// recognises, installed otherwise, is an entry in known.go.
package addon
