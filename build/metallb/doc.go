// Package metallb is a build wrapper: it pins the module that `go build`
// compiles for the MetalLB images (its controller and speaker mains,
// go.universe.tf/metallb/controller and .../speaker, v0.16.1) and whose
// CRDs the metallb add-on reads from the module cache; it has no code of
// its own.
package metallb
