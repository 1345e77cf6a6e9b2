package reach

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Observed is one case's tables: what the policies demand, what was seen,
// and which pods police each cell.
type Observed struct {
	Expected, Observed *Table
	Policing           Policing
}

// NodeVerdict reads the cells where observed differs from expected by
// node: a node whose policy agent stops enforcing lets through the cells
// whose policed pod runs there, and only those.
type NodeVerdict struct {
	// Node is the node every unenforced cell points to, when the
	// pattern says so ("" otherwise).
	Node string
	// Unenforced cells were expected denied and seen allowed; Overenforced
	// expected allowed and seen denied; Inconclusive got no answer.
	Unenforced, Overenforced, Inconclusive int
	// Holding counts, per node, the expected denials seen denied whose
	// policed pods are all on that node: the evidence that the other
	// nodes enforce.
	Holding map[string]int
	// UnenforcedOn counts, per node, the unenforced cells with a policed
	// pod there.
	UnenforcedOn map[string]int
}

// ByNode reads the differing cells of every case by the node of their
// policed pods (nodeOf maps a peer to its node; "" for a non-pod peer).
// A node is named only when every unenforced cell has a policed pod on
// it, nothing else differs, and denials policed on the other nodes hold:
// a pattern that a healthy agent there could not have made.
func ByNode(cases []Observed, nodeOf func(Peer) string) NodeVerdict {
	v := NodeVerdict{Holding: map[string]int{}, UnenforcedOn: map[string]int{}}
	candidates := map[string]int{} // node -> unenforced cells it polices
	for _, c := range cases {
		if c.Expected == nil || c.Observed == nil {
			continue
		}
		for _, from := range c.Expected.Peers() {
			for _, to := range c.Expected.Peers() {
				want := c.Expected.Get(from, to)
				got, ok := c.Observed.lookup(from, to)
				nodes := policedNodes(c.Policing[Cell{from, to}], nodeOf)
				switch {
				case !ok || got == Inconclusive:
					v.Inconclusive++
				case want.Agrees(got):
					if want == Deny && len(nodes) == 1 {
						v.Holding[nodes[0]]++
					}
				case want == Deny:
					v.Unenforced++
					for _, n := range nodes {
						v.UnenforcedOn[n]++
						candidates[n]++
					}
				default:
					v.Overenforced++
				}
			}
		}
	}
	if v.Unenforced == 0 || v.Overenforced > 0 || v.Inconclusive > 0 {
		return v
	}
	var all []string
	for n, cells := range candidates {
		if cells == v.Unenforced {
			all = append(all, n)
		}
	}
	if len(all) != 1 {
		return v
	}
	for n, held := range v.Holding {
		if n != all[0] && held > 0 {
			v.Node = all[0]
		}
	}
	return v
}

// policedNodes is the set of nodes the policed pods run on, sorted.
func policedNodes(pods []Peer, nodeOf func(Peer) string) []string {
	set := map[string]bool{}
	for _, p := range pods {
		if n := nodeOf(p); n != "" {
			set[n] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Headline states the verdict in one line, the first of a failure: the
// node when the pattern points to one, else what kinds of cells differ
// and, for unenforced ones, the nodes of their policed pods.
func (v NodeVerdict) Headline() string {
	if v.Node != "" {
		return fmt.Sprintf("NetworkPolicy not enforced for pods on node %s: all %d differing cells have their policed pod there; no cell differs for pods on the other nodes",
			v.Node, v.Unenforced)
	}
	var parts []string
	if v.Unenforced > 0 {
		var by []string
		for _, n := range slices.Sorted(maps.Keys(v.UnenforcedOn)) {
			by = append(by, fmt.Sprintf("%s (%d)", n, v.UnenforcedOn[n]))
		}
		where := ""
		if len(by) > 0 {
			where = ", their policed pods on node " + strings.Join(by, ", ")
		}
		parts = append(parts, fmt.Sprintf("NetworkPolicy not enforced in %d cell(s)%s", v.Unenforced, where))
	}
	if v.Overenforced > 0 {
		parts = append(parts, fmt.Sprintf("%d cell(s) the policies allow are denied (over-enforcement)", v.Overenforced))
	}
	if v.Inconclusive > 0 {
		parts = append(parts, fmt.Sprintf("%d cell(s) inconclusive (no answer)", v.Inconclusive))
	}
	if len(parts) == 0 {
		return "observed reachability matches the policies"
	}
	return strings.Join(parts, "; ")
}
