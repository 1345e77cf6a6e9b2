package reach

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// labelMap turns "k", "v", "k2", "v2" into a map.
func labelMap(kv ...string) map[string]string {
	if len(kv)%2 != 0 {
		panic("labelMap: odd number of arguments")
	}
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func namespace(name string, kv ...string) corev1.Namespace {
	return corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labelMap(kv...)}}
}

// pod builds a running pod with one container serving TCP 80 ("serve-80-tcp"),
// UDP 80 ("serve-80-udp") and SCTP 81 ("serve-81-sctp"). An empty ip leaves
// the pod without an address.
func pod(ns, name, ip string, kv ...string) corev1.Pod {
	p := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labelMap(kv...)},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "agent",
			Ports: []corev1.ContainerPort{
				{Name: "serve-80-tcp", ContainerPort: 80, Protocol: corev1.ProtocolTCP},
				{Name: "serve-80-udp", ContainerPort: 80, Protocol: corev1.ProtocolUDP},
				{Name: "serve-81-sctp", ContainerPort: 81, Protocol: corev1.ProtocolSCTP},
			},
		}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip},
	}
	if ip != "" {
		p.Status.PodIPs = []corev1.PodIP{{IP: ip}}
	}
	return p
}

// withPorts replaces the pod's container ports.
func withPorts(p corev1.Pod, ports ...corev1.ContainerPort) corev1.Pod {
	p.Spec.Containers[0].Ports = ports
	return p
}

func containerPort(name string, port int32, proto corev1.Protocol) corev1.ContainerPort {
	return corev1.ContainerPort{Name: name, ContainerPort: port, Protocol: proto}
}

func netpol(ns, name string, spec networkingv1.NetworkPolicySpec) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

// selector builds a matchLabels selector; no arguments gives the empty
// selector, which matches everything.
func selector(kv ...string) metav1.LabelSelector {
	return metav1.LabelSelector{MatchLabels: labelMap(kv...)}
}

func selectorRef(kv ...string) *metav1.LabelSelector {
	s := selector(kv...)
	return &s
}

func expression(key string, op metav1.LabelSelectorOperator, values ...string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: key, Operator: op, Values: values},
	}}
}

func podPeer(kv ...string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{PodSelector: selectorRef(kv...)}
}

func nsPeer(kv ...string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: selectorRef(kv...)}
}

func blockPeer(cidr string, except ...string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: except}}
}

func port(proto corev1.Protocol, number int32) networkingv1.NetworkPolicyPort {
	p := intstr.FromInt32(number)
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &p}
}

func portRange(proto corev1.Protocol, first, last int32) networkingv1.NetworkPolicyPort {
	p := port(proto, first)
	p.EndPort = &last
	return p
}

func namedPort(proto corev1.Protocol, name string) networkingv1.NetworkPolicyPort {
	p := intstr.FromString(name)
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &p}
}

func ingress(ports []networkingv1.NetworkPolicyPort, from ...networkingv1.NetworkPolicyPeer) networkingv1.NetworkPolicyIngressRule {
	return networkingv1.NetworkPolicyIngressRule{Ports: ports, From: from}
}

func egress(ports []networkingv1.NetworkPolicyPort, to ...networkingv1.NetworkPolicyPeer) networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{Ports: ports, To: to}
}

func ports(p ...networkingv1.NetworkPolicyPort) []networkingv1.NetworkPolicyPort { return p }

func types(t ...networkingv1.PolicyType) []networkingv1.PolicyType { return t }

const (
	typeIngress = networkingv1.PolicyTypeIngress
	typeEgress  = networkingv1.PolicyTypeEgress
	tcp         = corev1.ProtocolTCP
	udp         = corev1.ProtocolUDP
	sctp        = corev1.ProtocolSCTP
)

// topology is a set of namespaces and pods a test evaluates policies over.
type topology struct {
	namespaces []corev1.Namespace
	pods       []corev1.Pod
}

// standardTopology has namespaces x, y and z (labelled ns=<name>, y also
// team=blue) and pods x/a, x/b, y/a, y/b, z/a labelled pod=<name>; the a
// pods also carry tier=front. Pod IPs are 192.168.<1,2,3>.<1,2>.
func standardTopology() topology {
	return topology{
		namespaces: []corev1.Namespace{
			namespace("x", "ns", "x"),
			namespace("y", "ns", "y", "team", "blue"),
			namespace("z", "ns", "z"),
		},
		pods: []corev1.Pod{
			pod("x", "a", "192.168.1.1", "pod", "a", "tier", "front"),
			pod("x", "b", "192.168.1.2", "pod", "b"),
			pod("y", "a", "192.168.2.1", "pod", "a", "tier", "front"),
			pod("y", "b", "192.168.2.2", "pod", "b"),
			pod("z", "a", "192.168.3.1", "pod", "a", "tier", "front"),
		},
	}
}

func (tp topology) snapshot(policies ...networkingv1.NetworkPolicy) *Snapshot {
	return NewSnapshot(policies, tp.pods, tp.namespaces)
}

// parseTable reads a matrix in the format Table.String prints (any
// whitespace alignment): a header of destinations, then one row per source.
func parseTable(t *testing.T, text string) *Table {
	t.Helper()
	lines := nonEmptyLines(text)
	if len(lines) == 0 {
		t.Fatalf("parseTable: empty text")
	}
	var peers []Peer
	for _, name := range strings.Fields(lines[0]) {
		peers = append(peers, parsePeer(name))
	}
	table := NewTable(peers, Inconclusive)
	if len(lines)-1 != len(peers) {
		t.Fatalf("parseTable: %d rows for %d peers", len(lines)-1, len(peers))
	}
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) != len(peers)+1 {
			t.Fatalf("parseTable: row %q has %d cells, want %d", line, len(fields)-1, len(peers))
		}
		from := parsePeer(fields[0])
		for i, symbol := range fields[1:] {
			table.Set(from, peers[i], parseSymbol(t, symbol))
		}
	}
	return table
}

func nonEmptyLines(text string) []string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

func parsePeer(name string) Peer {
	if ns, pod, ok := strings.Cut(name, "/"); ok {
		return Peer{Namespace: ns, Pod: pod}
	}
	return Peer{Pod: name}
}

func parseSymbol(t *testing.T, symbol string) Verdict {
	t.Helper()
	switch symbol {
	case ".":
		return Allow
	case "X":
		return Deny
	case "?":
		return Inconclusive
	}
	t.Fatalf("parseTable: unknown symbol %q", symbol)
	return Inconclusive
}

// expectTable evaluates the snapshot for c and fails with the comparison
// report unless it equals want.
func expectTable(t *testing.T, s *Snapshot, c Case, want string) {
	t.Helper()
	got := mustExpect(t, s, c)
	if ok, report := Compare(parseTable(t, want), got); !ok {
		t.Errorf("Expect(%s) differs from the wanted table (expected = wanted, observed = computed):\n%s", c, report)
	}
}

// mustExpect evaluates the snapshot for c, failing the test on error.
func mustExpect(t *testing.T, s *Snapshot, c Case) *Table {
	t.Helper()
	got, err := s.Expect(c)
	if err != nil {
		t.Fatalf("Expect(%s): %v", c, err)
	}
	return got
}

// expectCell checks the single cell "from -> to" of got.
func expectCell(t *testing.T, got *Table, fromTo string, want Verdict) {
	t.Helper()
	from, to, _ := strings.Cut(fromTo, " -> ")
	if v := got.Get(parsePeer(from), parsePeer(to)); v != want {
		t.Errorf("%s: got %s, want %s\n%s", fromTo, v.Name(), want.Name(), got)
	}
}

// column returns the symbols of the column of destination to, top to
// bottom, for checking one destination compactly.
func column(got *Table, to Peer) string {
	symbols := ""
	for _, from := range got.Peers() {
		symbols += got.Get(from, to).String()
	}
	return symbols
}

var (
	tcp80  = Case{Port: 80, Protocol: tcp}
	udp80  = Case{Port: 80, Protocol: udp}
	sctp81 = Case{Port: 81, Protocol: sctp}
)
