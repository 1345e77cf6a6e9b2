// Package cilium is a build wrapper: it pins the module that `go build`
// compiles for the Cilium images (github.com/cilium/cilium, at the version
// framework/cni's CiliumVersion names: the agent
// github.com/cilium/cilium/daemon, installed as cilium-agent, the generic
// operator .../operator built with the ipam_provider_operator tag,
// .../plugins/cilium-cni, .../cilium-health and its responder,
// .../cilium-dbg) and whose bpf/ tree the agent image takes from the module
// cache; it has no code of its own. Two replaces make it resolve offline:
// gobgp at a served version, and mcsapi/, our stand-in for a module the
// proxy refuses. Resolve with GONOSUMDB=github.com/osrg/gobgp.
package cilium
