package e2e

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/netconform/netconform/framework/feature"
)

// The one registry of spec labels; filter with -ginkgo.label-filter.
const (
	Conformance = "Conformance" // every conformant cluster must pass it
	Extended    = "Extended"    // common but optional behaviour
	Slow        = "Slow"
	Disruptive  = "Disruptive" // breaks the cluster on purpose (and repairs it); runs with nothing beside it, unless Confined
)

// confinedPrefix starts the label Confined gives.
const confinedPrefix = "Confined:"

// Confined labels a Disruptive spec whose breakage reaches nothing but
// scope (one Ingress controller, CoreDNS, the spec's own pods), which no
// spec relies on but those confined to it too: in a run with parallel
// processes it may run beside Confined specs of other scopes. Every
// other Disruptive spec, and every spec of a run that takes Disruptive
// ones, runs with nothing beside it (framework/clusterlock). Confined
// containers carry SpecPriority by cost (3 for the longest), so that the
// longest start first and the Confined phase of a parallel run ends
// soonest, before the specs that run alone.
func Confined(scope string) Labels { return Label(confinedPrefix + scope) }

// confinedScope is the scope a spec's labels confine it to, "" for none.
func confinedScope(labels []string) string {
	for _, l := range labels {
		if scope, ok := strings.CutPrefix(l, confinedPrefix); ok {
			return scope
		}
	}
	return ""
}

// labelledFeatures are the registered features among labels.
func labelledFeatures(labels []string) []feature.Feature {
	var fs []feature.Feature
	for _, l := range labels {
		if strings.HasPrefix(l, feature.LabelPrefix) {
			if f, err := feature.Lookup(l); err == nil {
				fs = append(fs, f)
			}
		}
	}
	return fs
}

// Feature labels come from the feature registry: one name gives a spec
// both its label and, through Requires, its NotSupported gate (a
// Disruptive spec's, before it waits for its turn: guardSuite).
var (
	FeatureHostNetwork   = feature.HostNetwork.Label()
	FeatureUDP           = feature.UDP.Label()
	FeatureSCTP          = feature.SCTP.Label()
	FeatureNodePort      = feature.NodePort.Label()
	FeatureNetworkPolicy = feature.NetworkPolicy.Label()
	FeatureLoadBalancer  = feature.LoadBalancer.Label()
	FeatureIngress       = feature.Ingress.Label()
	FeatureDNS           = feature.DNS.Label()
	FeatureNodeRoutes    = feature.NodeRoutes.Label()
)
