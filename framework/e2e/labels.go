package e2e

// The one registry of spec labels; filter with -ginkgo.label-filter.
const (
	Conformance = "Conformance" // every conformant cluster must pass it
	Extended    = "Extended"    // common but optional behaviour
	Slow        = "Slow"
	Disruptive  = "Disruptive" // breaks the cluster on purpose (and repairs it); runs serially

	FeatureHostNetwork   = "Feature:HostNetwork"
	FeatureUDP           = "Feature:UDP"
	FeatureSCTP          = "Feature:SCTP"
	FeatureNodePort      = "Feature:NodePort"
	FeatureNetworkPolicy = "Feature:NetworkPolicy"
	FeatureLoadBalancer  = "Feature:LoadBalancer"
	FeatureIngress       = "Feature:Ingress"
	FeatureDNS           = "Feature:DNS"
)
