package cni

import "sort"

// Feature is a part of the networking contract a CNI may not implement.
type Feature string

// Features a profile can declare unsupported. Anything not listed in a
// profile is expected to work: a CNI is held to the whole contract unless
// its profile says otherwise, with a reason.
const (
	NetworkPolicy       Feature = "NetworkPolicy"       // any enforcement at all
	NetworkPolicyEgress Feature = "NetworkPolicyEgress" // policyTypes: Egress
	IPBlock             Feature = "IPBlock"
	NamedPorts          Feature = "NamedPorts"
	EndPort             Feature = "EndPort"
	// SCTP also needs the nodes' kernels to have it; specs check that
	// separately and report a kernel without SCTP as unsupported.
	SCTP Feature = "SCTP"
)

// Profile is what is known of a CNI: what it does not do, and why.
type Profile struct {
	CNI         string
	Unsupported map[Feature]string // feature -> reason
}

// Supports reports whether the profile claims the feature, and if not, why.
func (p Profile) Supports(f Feature) (bool, string) {
	reason, missing := p.Unsupported[f]
	return !missing, reason
}

// profiles are the declared deviations of the CNIs we know. Facts, each with
// its reason; a CNI that claims a feature and does not deliver it fails.
var profiles = map[string]Profile{
	"kube-router": {CNI: "kube-router", Unsupported: map[Feature]string{}},
	"flannel": {CNI: "flannel", Unsupported: map[Feature]string{
		NetworkPolicy: "flannel routes pods and enforces no NetworkPolicy", NetworkPolicyEgress: "no NetworkPolicy",
		IPBlock: "no NetworkPolicy", NamedPorts: "no NetworkPolicy", EndPort: "no NetworkPolicy",
	}},
	"kindnet": {CNI: "kindnet", Unsupported: map[Feature]string{
		NetworkPolicy: "kindnet's policy agent needs NFQUEUE, absent from these kernels", NetworkPolicyEgress: "see NetworkPolicy",
		IPBlock: "see NetworkPolicy", NamedPorts: "see NetworkPolicy", EndPort: "see NetworkPolicy",
	}},
	"calico": {CNI: "calico", Unsupported: map[Feature]string{}},
	"cilium": {CNI: "cilium", Unsupported: map[Feature]string{}},
}

// ProfileFor returns the profile of a detected CNI; an unknown CNI gets an
// empty profile, so it is held to everything.
func ProfileFor(name string) Profile {
	if p, ok := profiles[name]; ok {
		return p
	}
	return Profile{CNI: name, Unsupported: map[Feature]string{}}
}

// Profiled lists the CNIs with a profile, sorted.
func Profiled() []string {
	out := make([]string, 0, len(profiles))
	for n := range profiles {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
