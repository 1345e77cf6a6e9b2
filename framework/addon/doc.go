// Package addon holds what a cluster carries besides its CNI: Ingress
// controllers and a LoadBalancer implementation, each one file that
// registers its images (with their offline build recipes) and an add-on
// (cluster.RegisterAddOn) whose steps install it and wait for it.
// Importing the package makes them available to `cluster up --addons`,
// `images build` and the embedded cluster.
package addon
