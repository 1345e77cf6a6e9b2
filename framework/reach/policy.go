package reach

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// policy is a NetworkPolicy with its selectors parsed once.
type policy struct {
	namespace string
	name      string
	selector  labels.Selector
	// isolatesIngress and isolatesEgress are the effective policyTypes.
	isolatesIngress bool
	isolatesEgress  bool
	ingress         []rule
	egress          []rule
}

// rule is one ingress or egress rule.
type rule struct {
	// peers nil means "every peer": the rule had no from/to.
	peers []peer
	// ports empty means every port of every protocol.
	ports []networkingv1.NetworkPolicyPort
}

// peer is one NetworkPolicyPeer. A nil selector is an absent field, which
// differs from an empty one: absent constrains nothing, empty matches all.
type peer struct {
	pods       labels.Selector
	namespaces labels.Selector
	block      *ipBlock
}

// selects reports whether the policy applies to e.
func (p *policy) selects(e *endpoint) bool {
	return e.isPod() && e.namespace() == p.namespace && p.selector.Matches(e.podLabels)
}

func (p *policy) String() string { return p.namespace + "/" + p.name }

func compilePolicy(np *networkingv1.NetworkPolicy) (policy, error) {
	out := policy{namespace: np.Namespace, name: np.Name}
	if np.Namespace == "" {
		// Matching it against nothing would silently hide a fixture bug.
		return out, fmt.Errorf("policy %q has no namespace", np.Name)
	}
	sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if err != nil {
		return out, fmt.Errorf("policy %s: podSelector: %w", &out, err)
	}
	out.selector = sel
	out.isolatesIngress, out.isolatesEgress = effectivePolicyTypes(&np.Spec)
	for i, r := range np.Spec.Ingress {
		compiled, err := compileRule(r.From, r.Ports)
		if err != nil {
			return out, fmt.Errorf("policy %s: ingress[%d]: %w", &out, i, err)
		}
		out.ingress = append(out.ingress, compiled)
	}
	for i, r := range np.Spec.Egress {
		compiled, err := compileRule(r.To, r.Ports)
		if err != nil {
			return out, fmt.Errorf("policy %s: egress[%d]: %w", &out, i, err)
		}
		out.egress = append(out.egress, compiled)
	}
	return out, nil
}

// effectivePolicyTypes applies the API default: without policyTypes a
// policy is about ingress, and about egress only if it has egress rules.
func effectivePolicyTypes(spec *networkingv1.NetworkPolicySpec) (ingress, egress bool) {
	if len(spec.PolicyTypes) == 0 {
		return true, len(spec.Egress) > 0
	}
	return slices.Contains(spec.PolicyTypes, networkingv1.PolicyTypeIngress),
		slices.Contains(spec.PolicyTypes, networkingv1.PolicyTypeEgress)
}

func compileRule(peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) (rule, error) {
	out := rule{ports: ports}
	for i := range peers {
		compiled, err := compilePeer(&peers[i])
		if err != nil {
			return out, fmt.Errorf("peer %d: %w", i, err)
		}
		out.peers = append(out.peers, compiled)
	}
	return out, nil
}

func compilePeer(np *networkingv1.NetworkPolicyPeer) (peer, error) {
	var out peer
	if np.IPBlock != nil {
		block, err := compileIPBlock(np.IPBlock)
		if err != nil {
			return out, fmt.Errorf("ipBlock: %w", err)
		}
		out.block = block
	}
	if np.PodSelector != nil {
		sel, err := metav1.LabelSelectorAsSelector(np.PodSelector)
		if err != nil {
			return out, fmt.Errorf("podSelector: %w", err)
		}
		out.pods = sel
	}
	if np.NamespaceSelector != nil {
		sel, err := metav1.LabelSelectorAsSelector(np.NamespaceSelector)
		if err != nil {
			return out, fmt.Errorf("namespaceSelector: %w", err)
		}
		out.namespaces = sel
	}
	return out, nil
}

// matches reports whether the peer covers e, for a policy living in
// policyNamespace.
func (p *peer) matches(policyNamespace string, e *endpoint, family corev1.IPFamily) bool {
	if p.block != nil {
		// The API forbids combining ipBlock with selectors, so the
		// address alone decides.
		return p.block.matchesAny(e.addrs, family)
	}
	if !e.isPod() {
		return false
	}
	switch {
	case p.namespaces == nil && p.pods == nil:
		// The API rejects an empty peer; match nothing rather than guess.
		return false
	case p.namespaces == nil:
		return e.namespace() == policyNamespace && p.pods.Matches(e.podLabels)
	case p.pods == nil:
		return p.namespaces.Matches(e.nsLabels)
	default:
		return p.namespaces.Matches(e.nsLabels) && p.pods.Matches(e.podLabels)
	}
}
