// Package reach computes the reachability between endpoints that Kubernetes
// NetworkPolicy semantics predict, and compares it with what probes observe.
//
// A conformance spec builds a [Snapshot] (or calls [Expect]) from the
// NetworkPolicies, Pods and Namespaces it actually created, gets the expected
// [Table] for one [Case] (a destination port and protocol), fills an observed
// Table from probe results and hands both to [Compare], whose report is what
// a failing spec prints.
//
// # Verdicts
//
// Every cell is a [Verdict]: [Allow] ("."), [Deny] ("X") or [Inconclusive]
// ("?"). Inconclusive is the zero value and never agrees with anything, not
// even with another Inconclusive: an outcome nobody could decide must not be
// able to confirm an expectation.
//
// # Semantics implemented by the evaluator
//
//   - A pod is isolated for ingress iff a policy in its namespace selects it
//     and has Ingress among its effective policyTypes; likewise for egress.
//     Unset policyTypes mean Ingress, plus Egress iff the policy has egress
//     rules.
//   - src→dst is allowed iff dst admits it on ingress and src admits it on
//     egress. Each side admits if it is not isolated or if any rule of any
//     policy selecting it matches: policies only ever add allowances.
//   - A rule with no peers matches every source (or destination), including
//     non-pod endpoints; a rule with no ports matches every port and protocol.
//   - A peer with only podSelector means pods in the policy's namespace; with
//     only namespaceSelector, all pods of the matching namespaces; with both,
//     pods that match both. An ipBlock peer matches an endpoint whose address
//     lies in the CIDR and outside every except block.
//   - Named ports are resolved against the destination pod for ingress and
//     egress rules alike; a destination without a pod has no named ports.
//
// Decisions a reader might not expect:
//
//   - Traffic from a pod to itself is evaluated like any other pair, so a
//     default-deny policy denies it. Some implementations always allow it;
//     specs that do not want to assert that can skip the diagonal.
//   - ipBlock peers match pod IPs as well as external addresses. The API
//     leaves that implementation-defined; specs that depend on it should
//     say so.
//   - An endpoint without addresses never matches an ipBlock.
//   - A namespace always carries the kubernetes.io/metadata.name label, as
//     the API server guarantees, even if the object handed in lacks it.
//   - Endpoints without a pod (see [ExternalEndpoint]) are never matched by
//     selectors and are never isolated: only their address matters.
//   - The evaluator takes the pods it is given. Filtering out pods that are
//     not running, are being deleted or use the host network is the caller's
//     job.
package reach
