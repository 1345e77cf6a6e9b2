// Package haproxyingress is a build wrapper: it pins the module that
// `go build` compiles for the haproxy-ingress image (HAProxy Ingress
// v0.14.7's controller, static, cgo off) and whose rootfs/ (haproxy
// templates, Lua, scripts) the image takes from the module cache; it has
// no code of its own.
package haproxyingress
