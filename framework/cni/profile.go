package cni

import (
	"maps"
	"sort"
	"strings"
)

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
	"flannel":     {CNI: "flannel", Unsupported: withoutPolicy("flannel routes pods and enforces no NetworkPolicy")},
	"kindnet":     {CNI: "kindnet", Unsupported: withoutPolicy("kindnet's policy agent needs NFQUEUE, absent from these kernels")},
	"calico":      {CNI: "calico", Unsupported: map[Feature]string{}},
	"cilium":      {CNI: "cilium", Unsupported: map[Feature]string{}},
}

// ProfileFor returns the profile of a detected CNI, as configured: an
// unknown CNI gets an empty profile, so it is held to everything; a known
// one loses what its running flags switch off.
func ProfileFor(d Detected) Profile {
	p, ok := profiles[d.Name]
	if !ok {
		return Profile{CNI: d.Name, Unsupported: map[Feature]string{}}
	}
	p.Unsupported = maps.Clone(p.Unsupported)
	if d.Name == "kube-router" && flagValue(d.Args, "--run-firewall") == "false" {
		maps.Copy(p.Unsupported, withoutPolicy("kube-router runs with --run-firewall=false: it routes pods and enforces no NetworkPolicy"))
	}
	return p
}

// withoutPolicy declares every NetworkPolicy feature unsupported for reason.
func withoutPolicy(reason string) map[Feature]string {
	unsupported := map[Feature]string{NetworkPolicy: reason}
	for _, f := range []Feature{NetworkPolicyEgress, IPBlock, NamedPorts, EndPort} {
		unsupported[f] = "no NetworkPolicy: " + reason
	}
	return unsupported
}

// flagValue returns the value of a --name=value or --name value flag in
// args; the last one wins, as with Go's and pflag's parsers. A boolean
// flag given bare is "true"; an absent flag is "".
func flagValue(args []string, name string) string {
	value := ""
	for i, a := range args {
		switch {
		case strings.HasPrefix(a, name+"="):
			value = strings.TrimPrefix(a, name+"=")
		case a == name && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-"):
			value = args[i+1]
		case a == name:
			value = "true"
		}
	}
	return value
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
