// Package loadbalancer is the contract a LoadBalancer implementation
// meets, as the CNI descriptor is a CNI's: how to find it running on any
// cluster (Detect, which also decides feature.LoadBalancer), what it is
// doing for a Service (Diagnose, from explicit inputs), which addresses
// it hands out (Pool), how netconform installs it (an add-on), and what a
// Disruptive proof may take away from it and put back (Break). The
// suites ask this package for "the LoadBalancer" and never name an
// implementation.
//
// A new LoadBalancer implementation netconform installs is:
//   - framework/addon/<name>.go: its images (with their build recipes)
//     and a Descriptor passed to Register, whose add-on applies the
//     manifest and waits (MetalLB's install, pool, diagnosis and break
//     are metallb*.go);
//   - framework/addon/manifests/<name>.yaml: its manifest, a template;
//   - build/<name>/go.mod: the module its images are built from, offline;
//   - framework/addon/<name>_test.go: its manifest renders, Detect finds
//     its controller;
//   - a rule in framework/rbac/rules.go when its Diagnose or Pool reads
//     kinds of its own, and its name in cluster.DefaultAddOns for the
//     embedded cluster to carry it.
//
// No suite changes. One netconform only recognises, installed otherwise,
// is an entry in framework/addon/known.go.
package loadbalancer
