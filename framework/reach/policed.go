package reach

// Cell is one (source, destination) pair of a table.
type Cell struct{ From, To Peer }

// Policing says, for each cell of a case, which of its pods' policies
// decide it: the destination when its ingress is isolated, the source
// when its egress is, both when both are. For a denied cell only the
// sides that deny it count (a CNI that leaves a pod unpoliced lets
// through what that pod's policies deny). A cell absent from the map has
// no policed pod.
type Policing map[Cell][]Peer

// Policing computes which pods police each cell of c.
func (s *Snapshot) Policing(c Case) (Policing, error) {
	m, err := s.compile()
	if err != nil {
		return nil, err
	}
	out := Policing{}
	for i := range m.endpoints {
		src := &m.endpoints[i]
		for j := range m.endpoints {
			dst := &m.endpoints[j]
			if i == j {
				continue
			}
			in, out2 := m.ingressAdmits(src, dst, c), m.egressAdmits(src, dst, c)
			var sides []Peer
			denied := !in || !out2
			if dst.isPod() && m.isolates(dst, true) && (!denied || !in) {
				sides = append(sides, dst.peer)
			}
			if src.isPod() && m.isolates(src, false) && (!denied || !out2) {
				sides = append(sides, src.peer)
			}
			if len(sides) > 0 {
				out[Cell{src.peer, dst.peer}] = sides
			}
		}
	}
	return out, nil
}

// isolates reports whether a policy isolates e for ingress (or egress).
func (m *model) isolates(e *endpoint, ingress bool) bool {
	for i := range m.policies {
		p := &m.policies[i]
		if (ingress && p.isolatesIngress || !ingress && p.isolatesEgress) && p.selects(e) {
			return true
		}
	}
	return false
}
