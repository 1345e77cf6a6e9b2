package reach

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// spreadTopology is x, y, z × a, b, c with pod a on n1, b on n2 and c on
// n3 in every namespace, as agent.Spread places them on three nodes.
func spreadTopology() (topology, func(Peer) string) {
	tp := topology{}
	nodes := map[string]string{"a": "n1", "b": "n2", "c": "n3"}
	for i, ns := range []string{"x", "y", "z"} {
		tp.namespaces = append(tp.namespaces, namespace(ns, "ns", ns))
		for j, name := range []string{"a", "b", "c"} {
			tp.pods = append(tp.pods, pod(ns, name, fmt.Sprintf("192.168.%d.%d", i+1, j+1), "pod", name))
		}
	}
	return tp, func(p Peer) string { return nodes[p.Pod] }
}

func denyAll(ns string, t networkingv1.PolicyType) networkingv1.NetworkPolicy {
	return netpol(ns, "deny-all", networkingv1.NetworkPolicySpec{PolicyTypes: types(t)})
}

// observe returns what a CNI that enforces nothing for the policed pods
// on the nodes in broken would show, and the tables it came from.
func observe(t *testing.T, s *Snapshot, nodeOf func(Peer) string, broken ...string) Observed {
	t.Helper()
	c := Case{Port: 80}
	want := mustExpect(t, s, c)
	policing, err := s.Policing(c)
	if err != nil {
		t.Fatal(err)
	}
	got := NewTable(want.Peers(), Allow)
	for _, from := range want.Peers() {
		for _, to := range want.Peers() {
			v := want.Get(from, to)
			if v == Any {
				v = Allow
			}
			for _, p := range policing[Cell{from, to}] {
				for _, b := range broken {
					if nodeOf(p) == b {
						v = Allow
					}
				}
			}
			got.Set(from, to, v)
		}
	}
	return Observed{Expected: want, Observed: got, Policing: policing}
}

func TestByNodeNamesTheNodeWhoseIngressPoliciesAreNotEnforced(t *testing.T) {
	tp, nodeOf := spreadTopology()
	s := tp.snapshot(denyAll("x", typeIngress), denyAll("y", typeIngress))
	v := ByNode([]Observed{observe(t, s, nodeOf, "n2")}, nodeOf)
	if v.Node != "n2" {
		t.Fatalf("node %q, want n2 (%+v)", v.Node, v)
	}
	// x/b and y/b deny every other pod but themselves: 2 × 8 cells.
	want := "NetworkPolicy not enforced for pods on node n2: all 16 differing cells have their policed pod there; no cell differs for pods on the other nodes"
	if got := v.Headline(); got != want {
		t.Errorf("headline\n got %s\nwant %s", got, want)
	}
}

func TestByNodeReadsEgressCellsByTheirSource(t *testing.T) {
	tp, nodeOf := spreadTopology()
	s := tp.snapshot(denyAll("z", typeEgress))
	v := ByNode([]Observed{observe(t, s, nodeOf, "n3")}, nodeOf)
	if v.Node != "n3" || v.Unenforced != 8 {
		t.Errorf("node %q with %d cells, want n3 with z/c's 8 egress cells (%+v)", v.Node, v.Unenforced, v)
	}
}

func TestByNodeNamesNoNodeWhenCellsSpreadOverNodes(t *testing.T) {
	tp, nodeOf := spreadTopology()
	s := tp.snapshot(denyAll("x", typeIngress))
	v := ByNode([]Observed{observe(t, s, nodeOf, "n1", "n2")}, nodeOf)
	if v.Node != "" {
		t.Fatalf("named node %s for cells on n1 and n2", v.Node)
	}
	if h := v.Headline(); !strings.HasPrefix(h, "NetworkPolicy not enforced in 16 cell(s), their policed pods on node n1 (8), n2 (8)") {
		t.Errorf("headline %q", h)
	}
}

func TestByNodeNamesNoNodeWithoutEvidenceFromTheOthers(t *testing.T) {
	tp, nodeOf := spreadTopology()
	// Only x/a is policed: nothing shows that n2 and n3 enforce.
	s := tp.snapshot(netpol("x", "deny-a", networkingv1.NetworkPolicySpec{PodSelector: selector("pod", "a"), PolicyTypes: types(typeIngress)}))
	if v := ByNode([]Observed{observe(t, s, nodeOf, "n1")}, nodeOf); v.Node != "" {
		t.Errorf("named node %s with no denial policed elsewhere", v.Node)
	}
}

func TestByNodeReportsOverenforcementAsSuch(t *testing.T) {
	tp, nodeOf := spreadTopology()
	s := tp.snapshot(denyAll("x", typeIngress))
	o := observe(t, s, nodeOf)
	o.Observed.Set(Peer{Namespace: "y", Pod: "a"}, Peer{Namespace: "z", Pod: "b"}, Deny)
	v := ByNode([]Observed{o}, nodeOf)
	if v.Node != "" || v.Overenforced != 1 || v.Unenforced != 0 {
		t.Fatalf("%+v", v)
	}
	if h := v.Headline(); strings.Contains(h, "not enforced") || !strings.Contains(h, "1 cell(s) the policies allow are denied (over-enforcement)") {
		t.Errorf("headline %q", h)
	}
}

func TestPolicingNamesTheSideThatDenies(t *testing.T) {
	tp, _ := spreadTopology()
	s := tp.snapshot(denyAll("x", typeIngress), denyAll("y", typeEgress))
	p, err := s.Policing(Case{Port: 80, Protocol: corev1.ProtocolTCP})
	if err != nil {
		t.Fatal(err)
	}
	xa, ya, za := Peer{"x", "a"}, Peer{"y", "a"}, Peer{"z", "a"}
	for _, c := range []struct {
		cell Cell
		want string
	}{
		{Cell{za, xa}, "[x/a]"},     // ingress denies
		{Cell{ya, za}, "[y/a]"},     // egress denies
		{Cell{ya, xa}, "[x/a y/a]"}, // both deny
		{Cell{xa, za}, "[]"},        // nothing isolates
	} {
		if got := fmt.Sprint(p[c.cell]); got != c.want {
			t.Errorf("%s -> %s policed by %s, want %s", c.cell.From, c.cell.To, got, c.want)
		}
	}
}
