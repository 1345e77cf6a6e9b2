// Package coredns is a build wrapper: it pins the module that `go build` compiles
// for the coredns image; it has no code of its own.
package coredns
