// Package kuberouter is a build wrapper: it pins the module that `go build` compiles
// for the kube-router image; it has no code of its own.
package kuberouter
