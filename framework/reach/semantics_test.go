package reach

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPolicyTypes(t *testing.T) {
	toY := []networkingv1.NetworkPolicyEgressRule{egress(nil, nsPeer("ns", "y"))}
	fromY := []networkingv1.NetworkPolicyIngressRule{ingress(nil, nsPeer("ns", "y"))}
	tests := []struct {
		name   string
		policy networkingv1.NetworkPolicy
		want   string
	}{
		{
			// Its ingress rules are ignored and ingress stays open.
			"egress only does not isolate ingress",
			netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector("pod", "a"),
				PolicyTypes: types(typeEgress),
				Ingress:     fromY,
				Egress:      toY,
			}), `
			    x/a x/b y/a y/b z/a
			x/a  X   X   .   .   X
			x/b  .   .   .   .   .
			y/a  .   .   .   .   .
			y/b  .   .   .   .   .
			z/a  .   .   .   .   .
			`,
		},
		{
			"explicit ingress ignores egress rules",
			netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector("pod", "a"),
				PolicyTypes: types(typeIngress),
				Ingress:     fromY,
				Egress:      toY,
			}), `
			    x/a x/b y/a y/b z/a
			x/a  X   .   .   .   .
			x/b  X   .   .   .   .
			y/a  .   .   .   .   .
			y/b  .   .   .   .   .
			z/a  X   .   .   .   .
			`,
		},
		{
			// Unset policyTypes with egress rules means Ingress and
			// Egress; without ingress rules nothing may come in.
			"unset with egress rules isolates both",
			netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector("pod", "a"),
				Egress:      toY,
			}), `
			    x/a x/b y/a y/b z/a
			x/a  X   X   .   .   X
			x/b  X   .   .   .   .
			y/a  X   .   .   .   .
			y/b  X   .   .   .   .
			z/a  X   .   .   .   .
			`,
		},
		{
			"unset without egress rules isolates ingress only",
			netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector("pod", "a"),
				Ingress:     fromY,
			}), `
			    x/a x/b y/a y/b z/a
			x/a  X   .   .   .   .
			x/b  X   .   .   .   .
			y/a  .   .   .   .   .
			y/b  .   .   .   .   .
			z/a  X   .   .   .   .
			`,
		},
		{
			// A non-nil but empty list is still no rules at all.
			"empty ingress list allows nothing",
			netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector("pod", "a"),
				Ingress:     []networkingv1.NetworkPolicyIngressRule{},
			}), `
			    x/a x/b y/a y/b z/a
			x/a  X   .   .   .   .
			x/b  X   .   .   .   .
			y/a  X   .   .   .   .
			y/b  X   .   .   .   .
			z/a  X   .   .   .   .
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectTable(t, standardTopology().snapshot(tt.policy), tcp80, tt.want)
		})
	}
}

func TestIsolationAndUnion(t *testing.T) {
	denyA := netpol("x", "deny-a", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		PolicyTypes: types(typeIngress),
	})
	fromY := netpol("x", "from-y", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, nsPeer("ns", "y"))},
	})
	fromZ := netpol("x", "from-z", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, nsPeer("ns", "z"))},
	})
	tests := []struct {
		name     string
		policies []networkingv1.NetworkPolicy
		want     string
	}{
		{
			// Only x/a is isolated: x/b in the same namespace and y/a
			// with the same labels in another namespace stay open.
			"only selected pods are isolated", []networkingv1.NetworkPolicy{denyA}, `
			    x/a x/b y/a y/b z/a
			x/a  X   .   .   .   .
			x/b  X   .   .   .   .
			y/a  X   .   .   .   .
			y/b  X   .   .   .   .
			z/a  X   .   .   .   .
			`,
		},
		{
			"two policies add up", []networkingv1.NetworkPolicy{fromY, fromZ}, `
			    x/a x/b y/a y/b z/a
			x/a  X   .   .   .   .
			x/b  X   .   .   .   .
			y/a  .   .   .   .   .
			y/b  .   .   .   .   .
			z/a  .   .   .   .   .
			`,
		},
		{
			"a deny-all policy takes nothing away", []networkingv1.NetworkPolicy{denyA, fromY, fromZ}, `
			    x/a x/b y/a y/b z/a
			x/a  X   .   .   .   .
			x/b  X   .   .   .   .
			y/a  .   .   .   .   .
			y/b  .   .   .   .   .
			z/a  .   .   .   .   .
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectTable(t, standardTopology().snapshot(tt.policies...), tcp80, tt.want)
		})
	}
}

// Rules that pick peers, all on ingress to every pod of x.
func TestPeerSelection(t *testing.T) {
	tests := []struct {
		name string
		from []networkingv1.NetworkPolicyPeer
		want string
	}{
		{
			"empty from admits everyone", nil, `
			    x/a x/b y/a y/b z/a
			x/a  .   .   .   .   .
			x/b  .   .   .   .   .
			y/a  .   .   .   .   .
			y/b  .   .   .   .   .
			z/a  .   .   .   .   .
			`,
		},
		{
			// Not y/a, despite its pod=a label.
			"podSelector alone means the policy's namespace", []networkingv1.NetworkPolicyPeer{podPeer("pod", "a")}, `
			    x/a x/b y/a y/b z/a
			x/a  .   .   .   .   .
			x/b  X   X   .   .   .
			y/a  X   X   .   .   .
			y/b  X   X   .   .   .
			z/a  X   X   .   .   .
			`,
		},
		{
			"empty podSelector means every pod of the policy's namespace", []networkingv1.NetworkPolicyPeer{podPeer()}, `
			    x/a x/b y/a y/b z/a
			x/a  .   .   .   .   .
			x/b  .   .   .   .   .
			y/a  X   X   .   .   .
			y/b  X   X   .   .   .
			z/a  X   X   .   .   .
			`,
		},
		{
			"empty namespaceSelector means every pod", []networkingv1.NetworkPolicyPeer{nsPeer()}, `
			    x/a x/b y/a y/b z/a
			x/a  .   .   .   .   .
			x/b  .   .   .   .   .
			y/a  .   .   .   .   .
			y/b  .   .   .   .   .
			z/a  .   .   .   .   .
			`,
		},
		{
			"empty namespaceSelector and a podSelector", []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: selectorRef(),
				PodSelector:       selectorRef("pod", "b"),
			}}, `
			    x/a x/b y/a y/b z/a
			x/a  X   X   .   .   .
			x/b  .   .   .   .   .
			y/a  X   X   .   .   .
			y/b  .   .   .   .   .
			z/a  X   X   .   .   .
			`,
		},
		{
			// The API rejects it; the evaluator must not read it as "all".
			"a peer with no fields matches nothing", []networkingv1.NetworkPolicyPeer{{}}, `
			    x/a x/b y/a y/b z/a
			x/a  X   X   .   .   .
			x/b  X   X   .   .   .
			y/a  X   X   .   .   .
			y/b  X   X   .   .   .
			z/a  X   X   .   .   .
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector(),
				Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, tt.from...)},
			})
			expectTable(t, standardTopology().snapshot(policy), tcp80, tt.want)
		})
	}
}

// matchExpressions on both kinds of selectors; the policy admits ingress to
// x/a from the matching peers. Namespace y alone has team=blue and the a
// pods alone have tier=front.
func TestMatchExpressions(t *testing.T) {
	tests := []struct {
		name string
		peer networkingv1.NetworkPolicyPeer
		want string // the x/a column, from x/a, x/b, y/a, y/b, z/a
	}{
		{"namespace In", networkingv1.NetworkPolicyPeer{NamespaceSelector: expression("ns", metav1.LabelSelectorOpIn, "y", "z")}, "XX..."},
		{"namespace NotIn", networkingv1.NetworkPolicyPeer{NamespaceSelector: expression("ns", metav1.LabelSelectorOpNotIn, "y")}, "..XX."},
		{"namespace Exists", networkingv1.NetworkPolicyPeer{NamespaceSelector: expression("team", metav1.LabelSelectorOpExists)}, "XX..X"},
		{"namespace DoesNotExist", networkingv1.NetworkPolicyPeer{NamespaceSelector: expression("team", metav1.LabelSelectorOpDoesNotExist)}, "..XX."},
		{"pod In", networkingv1.NetworkPolicyPeer{NamespaceSelector: selectorRef(), PodSelector: expression("pod", metav1.LabelSelectorOpIn, "b")}, "X.X.X"},
		{"pod NotIn", networkingv1.NetworkPolicyPeer{NamespaceSelector: selectorRef(), PodSelector: expression("pod", metav1.LabelSelectorOpNotIn, "b")}, ".X.X."},
		{"pod Exists", networkingv1.NetworkPolicyPeer{NamespaceSelector: selectorRef(), PodSelector: expression("tier", metav1.LabelSelectorOpExists)}, ".X.X."},
		{"pod DoesNotExist", networkingv1.NetworkPolicyPeer{NamespaceSelector: selectorRef(), PodSelector: expression("tier", metav1.LabelSelectorOpDoesNotExist)}, "X.X.X"},
		{"matchLabels and matchExpressions are ANDed", networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{
			MatchLabels:      map[string]string{"ns": "y"},
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"blue"}}},
		}}, "XXXXX"},
	}
	tp := standardTopology()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector("pod", "a"),
				Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, tt.peer)},
			})
			got := mustExpect(t, tp.snapshot(policy), tcp80)
			if col := column(got, xa); col != selfOpen(tt.want) {
				t.Errorf("column x/a = %s, want %s\n%s", col, tt.want, got)
			}
		})
	}
}

// Ports and protocols, on ingress to x/a from anywhere.
func TestPortsAndProtocols(t *testing.T) {
	tests := []struct {
		name  string
		ports []networkingv1.NetworkPolicyPort
		c     Case
		want  Verdict
	}{
		{"no ports admit TCP", nil, tcp80, Allow},
		{"no ports admit UDP", nil, udp80, Allow},
		{"no ports admit SCTP", nil, sctp81, Allow},
		{"TCP 80 admits TCP 80", ports(port(tcp, 80)), tcp80, Allow},
		{"TCP 80 does not admit UDP 80", ports(port(tcp, 80)), udp80, Deny},
		{"UDP 80 admits UDP 80", ports(port(udp, 80)), udp80, Allow},
		{"UDP 80 does not admit TCP 80", ports(port(udp, 80)), tcp80, Deny},
		{"TCP 80 does not admit TCP 81", ports(port(tcp, 80)), Case{Port: 81}, Deny},
		{"SCTP 81 admits SCTP 81", ports(port(sctp, 81)), sctp81, Allow},
		{"SCTP 81 does not admit TCP 81", ports(port(sctp, 81)), Case{Port: 81, Protocol: tcp}, Deny},
		{"TCP 81 does not admit SCTP 81", ports(port(tcp, 81)), sctp81, Deny},
		{"protocol defaults to TCP", ports(networkingv1.NetworkPolicyPort{Port: port(tcp, 80).Port}), tcp80, Allow},
		{"defaulted protocol does not admit UDP", ports(networkingv1.NetworkPolicyPort{Port: port(tcp, 80).Port}), udp80, Deny},
		{"case protocol defaults to TCP", ports(port(tcp, 80)), Case{Port: 80}, Allow},
		{"protocol alone admits all its ports", ports(networkingv1.NetworkPolicyPort{Protocol: &[]corev1.Protocol{udp}[0]}), Case{Port: 9999, Protocol: udp}, Allow},
		{"protocol alone admits no other protocol", ports(networkingv1.NetworkPolicyPort{Protocol: &[]corev1.Protocol{udp}[0]}), tcp80, Deny},
		{"any listed port admits", ports(port(tcp, 443), port(udp, 80)), udp80, Allow},
		{"range includes its first port", ports(portRange(tcp, 80, 90)), tcp80, Allow},
		{"range excludes ports below", ports(portRange(tcp, 81, 90)), tcp80, Deny},
		{"range is protocol specific", ports(portRange(tcp, 70, 90)), udp80, Deny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector("pod", "a"),
				Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(tt.ports)},
			})
			expectCell(t, mustExpect(t, standardTopology().snapshot(policy), tt.c), "y/b -> x/a", tt.want)
		})
	}
}

// Two destinations map the port name "web" to different numbers; each
// resolves it for itself, on ingress and on egress.
func TestNamedPortsResolvePerDestination(t *testing.T) {
	tp := topology{
		namespaces: []corev1.Namespace{namespace("x"), namespace("y")},
		pods: []corev1.Pod{
			withPorts(pod("x", "a", "192.168.1.1"), containerPort("web", 80, tcp)),
			withPorts(pod("x", "b", "192.168.1.2"), containerPort("web", 8080, tcp)),
			withPorts(pod("y", "a", "192.168.2.1"), containerPort("dns", 53, udp)),
		},
	}
	ingressWeb := netpol("x", "ingress-web", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(ports(namedPort(tcp, "web")))},
	})
	egressWeb := netpol("y", "egress-web", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		PolicyTypes: types(typeEgress),
		Egress:      []networkingv1.NetworkPolicyEgressRule{egress(ports(namedPort(tcp, "web")))},
	})
	tests := []struct {
		name   string
		policy networkingv1.NetworkPolicy
		c      Case
		want   string
	}{
		{
			"ingress on 80", ingressWeb, tcp80, `
			    x/a x/b y/a
			x/a  .   X   .
			x/b  .   X   .
			y/a  .   X   .
			`,
		},
		{
			"ingress on 8080", ingressWeb, Case{Port: 8080}, `
			    x/a x/b y/a
			x/a  X   .   .
			x/b  X   .   .
			y/a  X   .   .
			`,
		},
		{
			// y/a has no port called web, so it cannot reach itself.
			"egress on 80", egressWeb, tcp80, `
			    x/a x/b y/a
			x/a  .   .   .
			x/b  .   .   .
			y/a  .   X   X
			`,
		},
		{
			"egress on 8080", egressWeb, Case{Port: 8080}, `
			    x/a x/b y/a
			x/a  .   .   .
			x/b  .   .   .
			y/a  X   .   X
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectTable(t, tp.snapshot(tt.policy), tt.c, tt.want)
		})
	}
}

func TestNamedPortProtocolMustMatch(t *testing.T) {
	tp := topology{
		namespaces: []corev1.Namespace{namespace("x")},
		pods: []corev1.Pod{
			withPorts(pod("x", "dns", "192.168.1.1"), containerPort("dns", 53, udp)),
			pod("x", "client", "192.168.1.2"),
		},
	}
	tests := []struct {
		name string
		port networkingv1.NetworkPolicyPort
		c    Case
		want Verdict
	}{
		{"UDP name, UDP traffic", namedPort(udp, "dns"), Case{Port: 53, Protocol: udp}, Allow},
		{"TCP name, TCP traffic, port only declared for UDP", namedPort(tcp, "dns"), Case{Port: 53, Protocol: tcp}, Deny},
		{"UDP name, TCP traffic", namedPort(udp, "dns"), Case{Port: 53, Protocol: tcp}, Deny},
		{"unknown name", namedPort(udp, "domain"), Case{Port: 53, Protocol: udp}, Deny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector(),
				Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(ports(tt.port))},
			})
			expectCell(t, mustExpect(t, tp.snapshot(policy), tt.c), "x/client -> x/dns", tt.want)
		})
	}
}

// Namespace IPs: x 192.168.1.0/24, y 192.168.2.0/24, z 192.168.3.0/24.
func TestIPBlockMatchesPodIPs(t *testing.T) {
	tests := []struct {
		name string
		peer networkingv1.NetworkPolicyPeer
		want string // the x/a column
	}{
		{"cidr minus except", blockPeer("192.168.0.0/16", "192.168.2.0/24"), "..XX."},
		{"several excepts", blockPeer("192.168.0.0/16", "192.168.2.0/24", "192.168.1.2/32"), ".XXX."},
		{"host bits in the cidr are ignored", blockPeer("192.168.3.77/24"), "XXXX."},
		{"single address", blockPeer("192.168.2.2/32"), "XXX.X"},
		{"other family never matches", blockPeer("::/0"), "XXXXX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := netpol("x", "p", networkingv1.NetworkPolicySpec{
				PodSelector: selector("pod", "a"),
				Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, tt.peer)},
			})
			got := mustExpect(t, standardTopology().snapshot(policy), tcp80)
			if col := column(got, xa); col != selfOpen(tt.want) {
				t.Errorf("column x/a = %s, want %s\n%s", col, tt.want, got)
			}
		})
	}
}

func TestIPBlockNeedsAnAddress(t *testing.T) {
	tp := standardTopology()
	tp.pods = append(tp.pods, pod("z", "pending", ""))
	everything := netpol("x", "p", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, blockPeer("0.0.0.0/0"))},
	})
	got := mustExpect(t, tp.snapshot(everything), tcp80)
	expectCell(t, got, "z/pending -> x/a", Deny)
	expectCell(t, got, "z/a -> x/a", Allow)
}

// A dual-stack source matches a v4 block only over IPv4.
func TestIPBlockFamily(t *testing.T) {
	tp := standardTopology()
	dual := pod("z", "dual", "192.168.3.9")
	dual.Status.PodIPs = append(dual.Status.PodIPs, corev1.PodIP{IP: "fd00::9"})
	tp.pods = append(tp.pods, dual)
	policy := netpol("x", "p", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, blockPeer("192.168.3.0/24"))},
	})
	tests := []struct {
		family corev1.IPFamily
		want   Verdict
	}{
		{"", Allow},
		{corev1.IPv4Protocol, Allow},
		{corev1.IPv6Protocol, Deny},
	}
	for _, tt := range tests {
		t.Run("family "+string(tt.family), func(t *testing.T) {
			c := Case{Port: 80, IPFamily: tt.family}
			expectCell(t, mustExpect(t, tp.snapshot(policy), c), "z/dual -> x/a", tt.want)
		})
	}
}

// A pod reaching its own IP is left open (Any), whatever the policies say:
// CNIs differ there and the contract does not decide it.
func TestTrafficToSelfIsLeftOpen(t *testing.T) {
	policy := netpol("x", "p", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, podPeer("pod", "b"))},
	})
	got := mustExpect(t, standardTopology().snapshot(policy), tcp80)
	expectCell(t, got, "x/a -> x/a", Any)
	expectCell(t, got, "x/b -> x/a", Allow)
	expectCell(t, got, "x/b -> x/b", Any)
	expectCell(t, got, "y/a -> x/a", Deny)
	if !Any.Agrees(Allow) || !Any.Agrees(Deny) || Any.Agrees(Inconclusive) || Inconclusive.Agrees(Any) {
		t.Error("Any must agree with either definite verdict and never with Inconclusive")
	}
}

// selfOpen marks the first cell of a column of x/a (x/a itself) as Any.
func selfOpen(col string) string { return "*" + col[1:] }
