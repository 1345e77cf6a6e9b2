// Package addon holds the implementations a cluster carries besides its
// CNI, each a descriptor file like a CNI's: MetalLB (metallb.go, with its
// install, pool, diagnosis and break beside it in metallb_*.go), Traefik
// (traefik.go) and HAProxy Ingress (haproxy.go), and in known.go those
// netconform only recognises. Each registers its images, with their
// offline build recipes, and its descriptor with the contract it meets,
// framework/loadbalancer or framework/ingress, which registers its add-on
// (cluster up --addons). The files a new implementation needs are listed
// in those two packages' documentation.
//
// Importing the package makes them known to `cluster up --addons`,
// `images build`, the embedded cluster and the suites, which ask the
// contracts for "the LoadBalancer" and "the IngressClasses" and never
// import this package.
package addon
