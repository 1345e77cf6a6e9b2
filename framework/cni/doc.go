// Package cni is one descriptor per CNI: how to recognise its agents on any
// cluster (Detect), what it declares it lacks as a function of how it runs
// (its profile, which the feature detectors turn into NotSupported specs),
// and for the CNIs netconform installs, its images with their build
// recipes, its manifest, variants and the switch that turns NetworkPolicy
// enforcement off for the Disruptive proofs.
//
// A new installable CNI is a descriptor file here (see kuberouter.go), its
// manifest under manifests/, its build module under build/, and a test.
package cni
