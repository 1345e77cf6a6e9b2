package reach

// model is a compiled Snapshot.
type model struct {
	policies  []policy
	endpoints []endpoint
}

// verdict decides src→dst for c. Both directions must admit the traffic.
func (m *model) verdict(src, dst *endpoint, c Case) Verdict {
	return verdictOf(m.ingressAdmits(src, dst, c) && m.egressAdmits(src, dst, c))
}

// ingressAdmits reports whether dst's ingress policies let src in.
func (m *model) ingressAdmits(src, dst *endpoint, c Case) bool {
	isolated := false
	for i := range m.policies {
		p := &m.policies[i]
		if !p.isolatesIngress || !p.selects(dst) {
			continue
		}
		isolated = true
		for j := range p.ingress {
			r := &p.ingress[j]
			if r.peersMatch(p.namespace, src, c) && portsMatch(r.ports, dst, c) {
				return true
			}
		}
	}
	return !isolated
}

// egressAdmits reports whether src's egress policies let it reach dst.
// Ports are still those of dst: egress rules name the destination port.
func (m *model) egressAdmits(src, dst *endpoint, c Case) bool {
	isolated := false
	for i := range m.policies {
		p := &m.policies[i]
		if !p.isolatesEgress || !p.selects(src) {
			continue
		}
		isolated = true
		for j := range p.egress {
			r := &p.egress[j]
			if r.peersMatch(p.namespace, dst, c) && portsMatch(r.ports, dst, c) {
				return true
			}
		}
	}
	return !isolated
}

// peersMatch reports whether the rule's peer list covers e; peers are ORed
// and a rule without peers covers everyone.
func (r *rule) peersMatch(policyNamespace string, e *endpoint, c Case) bool {
	if r.peers == nil {
		return true
	}
	for i := range r.peers {
		if r.peers[i].matches(policyNamespace, e, c.IPFamily) {
			return true
		}
	}
	return false
}
