// Package flannel is a build wrapper: it pins the module that `go build`
// compiles for the flannel image (flannel's own main package, v0.28.10);
// it has no code of its own. The replace stands in for the one dependency
// whose pinned versions the module proxy refuses.
package flannel
