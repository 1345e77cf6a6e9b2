package reach

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Snapshot is the state an expectation is computed from. Endpoints may mix
// pods with non-pod endpoints (see [ExternalEndpoint]).
type Snapshot struct {
	Policies   []networkingv1.NetworkPolicy
	Namespaces []corev1.Namespace
	Endpoints  []Endpoint
}

// NewSnapshot holds policies, namespaces and one endpoint per pod, in the
// order given; that order becomes the order of table rows and columns.
func NewSnapshot(policies []networkingv1.NetworkPolicy, pods []corev1.Pod, namespaces []corev1.Namespace) *Snapshot {
	s := &Snapshot{Policies: policies, Namespaces: namespaces}
	for i := range pods {
		s.Endpoints = append(s.Endpoints, PodEndpoint(&pods[i]))
	}
	return s
}

// Peers lists the endpoints' peers in order.
func (s *Snapshot) Peers() []Peer {
	peers := make([]Peer, len(s.Endpoints))
	for i, ep := range s.Endpoints {
		peers[i] = ep.Peer
	}
	return peers
}

// Expect computes the expected table for c. It fails, naming the offending
// object, on input the API server would have rejected or that would make
// the answer ambiguous: unparsable selectors or CIDRs, objects without a
// namespace, duplicate peers.
func (s *Snapshot) Expect(c Case) (*Table, error) {
	m, err := s.compile()
	if err != nil {
		return nil, fmt.Errorf("expect %s: %w", c, err)
	}
	table := NewTable(s.Peers(), Inconclusive)
	for i := range m.endpoints {
		src := &m.endpoints[i]
		for j := range m.endpoints {
			dst := &m.endpoints[j]
			if i == j && src.isPod() {
				// A pod reaching its own IP: the contract leaves this open
				// (kube-router always allows it, other CNIs apply the
				// policies) and upstream conformance does not test it.
				table.Set(src.peer, dst.peer, Any)
				continue
			}
			table.Set(src.peer, dst.peer, m.verdict(src, dst, c))
		}
	}
	return table, nil
}

// Expect computes the expected table for traffic between pods. When the
// input cannot be evaluated every cell is Inconclusive, which no observation
// can match, so a spec fails instead of passing on a guess; use
// [Snapshot.Expect] to learn why.
func Expect(policies []networkingv1.NetworkPolicy, pods []corev1.Pod, namespaces []corev1.Namespace, c Case) *Table {
	s := NewSnapshot(policies, pods, namespaces)
	table, err := s.Expect(c)
	if err != nil {
		return NewTable(s.Peers(), Inconclusive)
	}
	return table
}

func (s *Snapshot) compile() (*model, error) {
	m := &model{}
	for i := range s.Policies {
		p, err := compilePolicy(&s.Policies[i])
		if err != nil {
			return nil, err
		}
		m.policies = append(m.policies, p)
	}
	nsLabels := indexNamespaces(s.Namespaces)
	seen := map[Peer]bool{}
	for _, ep := range s.Endpoints {
		if seen[ep.Peer] {
			return nil, fmt.Errorf("duplicate endpoint %s", ep.Peer)
		}
		seen[ep.Peer] = true
		compiled, err := compileEndpoint(ep, nsLabels)
		if err != nil {
			return nil, err
		}
		m.endpoints = append(m.endpoints, compiled)
	}
	return m, nil
}
