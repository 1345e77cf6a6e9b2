// Package etcd is a build wrapper: it pins the module that `go build` compiles
// for the etcd image; it has no code of its own.
package etcd
