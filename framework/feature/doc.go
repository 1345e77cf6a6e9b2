// Package feature is the one registry of the optional parts of the
// networking contract: each feature has a name and the Ginkgo label
// ("Feature:<name>") that marks its specs, and detectors fill a Set saying,
// with a reason, whether the cluster under test supports it.
//
// A cluster is held to every feature unless a detector finds it missing:
// the CNI's declared profile (from its running flags), the nodes' kernels
// (SCTP), or the absence of an implementation (no IngressClass, nothing
// that implements LoadBalancer Services, a single-stack cluster). A spec
// names its feature once (feature.SCTP.Label() in its labels,
// e2e.Requires(feature.SCTP) as its gate), and an unsupported feature makes
// it NotSupported, reported and not failed.
package feature
