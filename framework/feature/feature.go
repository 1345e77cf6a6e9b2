package feature

import (
	"fmt"
	"sort"
	"strings"
)

// Feature is an optional part of the networking contract.
type Feature string

// LabelPrefix starts the Ginkgo label of every feature.
const LabelPrefix = "Feature:"

// Label is the Ginkgo label of the feature's specs.
func (f Feature) Label() string { return LabelPrefix + string(f) }

func (f Feature) String() string { return string(f) }

// registry holds every feature and what it means.
var registry = map[Feature]string{}

// Register declares a feature; it panics on a duplicate name, a programming
// error.
func Register(name, meaning string) Feature {
	f := Feature(name)
	if _, dup := registry[f]; dup {
		panic(fmt.Sprintf("feature %q registered twice", name))
	}
	if name == "" || strings.ContainsAny(name, " :") {
		panic(fmt.Sprintf("feature name %q must be one word", name))
	}
	registry[f] = meaning
	return f
}

// The features of the contract. NetworkPolicy is any enforcement at all;
// the finer ones are parts of it a CNI may lack while enforcing the rest.
var (
	NetworkPolicy       = Register("NetworkPolicy", "NetworkPolicy is enforced")
	NetworkPolicyEgress = Register("NetworkPolicyEgress", "NetworkPolicy with policyTypes Egress is enforced")
	IPBlock             = Register("IPBlock", "NetworkPolicy ipBlock peers (with except) are enforced")
	NamedPorts          = Register("NamedPorts", "NetworkPolicy ports given by container port name are enforced")
	EndPort             = Register("EndPort", "NetworkPolicy port ranges (endPort) are enforced")
	SCTP                = Register("SCTP", "SCTP between pods (CNI and the nodes' kernels)")
	UDP                 = Register("UDP", "UDP between pods and through Services")
	HostNetwork         = Register("HostNetwork", "hostNetwork pods reach and are reached by pods")
	NodePort            = Register("NodePort", "NodePort Services on every node IP")
	DNS                 = Register("DNS", "cluster DNS names of Services and pods")
	Ingress             = Register("Ingress", "an Ingress controller serves Ingress objects")
	LoadBalancer        = Register("LoadBalancer", "something implements Services of type LoadBalancer")
	DualStack           = Register("DualStack", "pods and Services get IPv4 and IPv6 addresses")
	// NodeRoutes is not part of the contract but of how a data path is
	// built: the proof that breaks a node's route needs it.
	NodeRoutes = Register("NodeRoutes", "pod traffic between nodes follows the nodes' routes to each other's pod CIDRs")
)

// All lists the registered features, sorted.
func All() []Feature {
	out := make([]Feature, 0, len(registry))
	for f := range registry {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Meaning says what a registered feature covers ("" when unregistered).
func (f Feature) Meaning() string { return registry[f] }

// Lookup returns a registered feature by name or by label.
func Lookup(name string) (Feature, error) {
	f := Feature(strings.TrimPrefix(name, LabelPrefix))
	if _, ok := registry[f]; !ok {
		known := make([]string, 0, len(registry))
		for _, k := range All() {
			known = append(known, string(k))
		}
		return "", fmt.Errorf("unknown feature %q (known: %s)", name, strings.Join(known, ", "))
	}
	return f, nil
}

// Labels turns features into their Ginkgo labels.
func Labels(fs ...Feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Label()
	}
	return out
}
