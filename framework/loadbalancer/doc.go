// Package loadbalancer is the contract a LoadBalancer implementation meets, as the
// CNI descriptor is a CNI's: how to find it running on any cluster
// (Detect), what it is doing for a Service (Diagnose, from explicit
// inputs), which addresses it hands out (Pool), how netconform installs
// it (an add-on), and what a Disruptive proof may take away from it and
// put back (Break). The suites ask this package for "the LoadBalancer"
// and never name an implementation.
//
// A new LoadBalancer implementation netconform installs is:
//   - framework/addon/<name>.go: its images and a Descriptor passed to
//     Register, with its add-on (steps that apply the manifest and wait);
//   - framework/addon/manifests/<name>.yaml: its manifest, a template;
//   - build/<name>/go.mod: the module its images are built from, offline;
//   - framework/addon/<name>_test.go: its manifest renders, its
//     descriptor is found by Detect.
//
// One netconform only recognises is a Descriptor in
// framework/addon/known.go: its controller's image fragments.
package loadbalancer
