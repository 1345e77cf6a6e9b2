// Package traefik is a build wrapper: it pins the module that `go build`
// compiles for the traefik image (Traefik's own main package, v3.6.15,
// static, cgo off); it has no code of its own.
package traefik
