package e2e

import "github.com/netconform/netconform/framework/feature"

// The one registry of spec labels; filter with -ginkgo.label-filter.
const (
	Conformance = "Conformance" // every conformant cluster must pass it
	Extended    = "Extended"    // common but optional behaviour
	Slow        = "Slow"
	Disruptive  = "Disruptive" // breaks the cluster on purpose (and repairs it); runs serially
)

// Feature labels come from the feature registry: one name gives a spec
// both its label and, through Requires, its NotSupported gate.
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
