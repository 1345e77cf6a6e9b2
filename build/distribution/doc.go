// Package distribution is a build wrapper: it pins the module that `go
// build` compiles for the registry image (the CNCF Distribution registry's
// cmd/registry, v3.1.2, static, cgo off); it has no code of its own.
package distribution
