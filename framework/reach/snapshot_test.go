package reach

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// External endpoints are matched by address only and never isolated.
func TestExternalEndpoints(t *testing.T) {
	tp := topology{
		namespaces: []corev1.Namespace{namespace("x", "ns", "x")},
		pods: []corev1.Pod{
			pod("x", "a", "192.168.1.1", "pod", "a"),
			pod("x", "b", "192.168.1.2", "pod", "b"),
		},
	}
	egressToBlock := netpol("x", "egress-block", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		PolicyTypes: types(typeEgress),
		Egress: []networkingv1.NetworkPolicyEgressRule{egress(ports(port(tcp, 80)),
			blockPeer("8.8.8.0/24"),
		)},
	})
	egressToAllNamespaces := netpol("x", "egress-namespaces", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		PolicyTypes: types(typeEgress),
		Egress:      []networkingv1.NetworkPolicyEgressRule{egress(nil, nsPeer())},
	})
	egressToAnyone := netpol("x", "egress-anyone", networkingv1.NetworkPolicySpec{
		PodSelector: selector("pod", "a"),
		PolicyTypes: types(typeEgress),
		Egress:      []networkingv1.NetworkPolicyEgressRule{egress(nil)},
	})
	ingressFromBlock := netpol("x", "ingress-block", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, blockPeer("8.8.8.8/32"))},
	})
	tests := []struct {
		name   string
		policy networkingv1.NetworkPolicy
		want   string
	}{
		{
			"egress to an ipBlock", egressToBlock, `
			     x/a x/b google other
			x/a   X   X     .     X
			x/b   .   .     .     .
			google .  .     .     .
			other  .  .     .     .
			`,
		},
		{
			// Selectors only ever match pods.
			"empty namespaceSelector does not reach outside", egressToAllNamespaces, `
			     x/a x/b google other
			x/a   .   .     X     X
			x/b   .   .     .     .
			google .  .     .     .
			other  .  .     .     .
			`,
		},
		{
			"rule without peers reaches outside", egressToAnyone, `
			     x/a x/b google other
			x/a   .   .     .     .
			x/b   .   .     .     .
			google .  .     .     .
			other  .  .     .     .
			`,
		},
		{
			"ingress from an ipBlock", ingressFromBlock, `
			     x/a x/b google other
			x/a   X   X     .     .
			x/b   X   X     .     .
			google .  .     .     .
			other  X  X     .     .
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tp.snapshot(tt.policy)
			s.Endpoints = append(s.Endpoints,
				ExternalEndpoint("google", "8.8.8.8"),
				ExternalEndpoint("other", "1.1.1.1"),
			)
			expectTable(t, s, tcp80, tt.want)
		})
	}
}

func TestPodEndpointMergesAddresses(t *testing.T) {
	p := pod("x", "a", "192.168.1.1")
	p.Status.PodIPs = []corev1.PodIP{{IP: "192.168.1.1"}, {IP: "fd00::1"}}
	ep := PodEndpoint(&p)
	if ep.Peer != xa || ep.Pod != &p {
		t.Errorf("PodEndpoint peer = %s, pod = %p", ep.Peer, ep.Pod)
	}
	if got := strings.Join(ep.IPs, ","); got != "192.168.1.1,fd00::1" {
		t.Errorf("IPs = %s, want 192.168.1.1,fd00::1", got)
	}
}

func TestNewSnapshotKeepsPodOrder(t *testing.T) {
	s := standardTopology().snapshot()
	var names []string
	for _, p := range s.Peers() {
		names = append(names, p.String())
	}
	if got := strings.Join(names, " "); got != "x/a x/b y/a y/b z/a" {
		t.Errorf("Peers() = %s", got)
	}
}

// Input the API server would reject is reported, naming the culprit, and
// makes the convenience Expect all Inconclusive.
func TestInvalidInput(t *testing.T) {
	badOperator := netpol("x", "bad-operator", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		Ingress: []networkingv1.NetworkPolicyIngressRule{ingress(nil, networkingv1.NetworkPolicyPeer{
			PodSelector: expression("pod", "Near", "a"),
		})},
	})
	badPodSelector := netpol("x", "bad-pod-selector", networkingv1.NetworkPolicySpec{
		PodSelector: *expression("pod", metav1.LabelSelectorOpExists, "must-be-empty"),
	})
	badCIDR := netpol("x", "bad-cidr", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		PolicyTypes: types(typeEgress),
		Egress:      []networkingv1.NetworkPolicyEgressRule{{}, egress(nil, blockPeer("10.0.0.0/8", "10.1.0.0/33"))},
	})
	noNamespace := netpol("", "nameless", networkingv1.NetworkPolicySpec{})
	tests := []struct {
		name     string
		policies []networkingv1.NetworkPolicy
		extra    Endpoint
		mentions []string
	}{
		{"unknown operator", []networkingv1.NetworkPolicy{badOperator}, Endpoint{}, []string{"x/bad-operator", "ingress[0]", "peer 0", "podSelector", "Near"}},
		{"invalid policy podSelector", []networkingv1.NetworkPolicy{badPodSelector}, Endpoint{}, []string{"x/bad-pod-selector", "podSelector"}},
		{"invalid except", []networkingv1.NetworkPolicy{badCIDR}, Endpoint{}, []string{"x/bad-cidr", "egress[1]", "except", "10.1.0.0/33"}},
		{"policy without namespace", []networkingv1.NetworkPolicy{noNamespace}, Endpoint{}, []string{`"nameless"`, "no namespace"}},
		{"bad endpoint address", nil, ExternalEndpoint("ext", "not-an-ip"), []string{"endpoint ext", "not-an-ip"}},
		{"duplicate endpoint", nil, PodEndpoint(&[]corev1.Pod{pod("x", "a", "192.168.1.9")}[0]), []string{"duplicate endpoint x/a"}},
		{"pod without namespace", nil, PodEndpoint(&[]corev1.Pod{pod("", "lost", "192.168.1.9")}[0]), []string{`pod "lost" has no namespace`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := standardTopology()
			s := tp.snapshot(tt.policies...)
			if tt.extra.Peer != (Peer{}) {
				s.Endpoints = append(s.Endpoints, tt.extra)
			}
			table, err := s.Expect(tcp80)
			if err == nil {
				t.Fatalf("Snapshot.Expect succeeded:\n%s", table)
			}
			for _, want := range tt.mentions {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if tt.extra.Peer != (Peer{}) {
				return // Expect only takes pods.
			}
			got := Expect(tt.policies, tp.pods, tp.namespaces, tcp80)
			if n := len(got.Peers()); n != len(tp.pods) {
				t.Errorf("Expect on invalid input has %d peers, want %d", n, len(tp.pods))
			}
			for _, from := range got.Peers() {
				for _, to := range got.Peers() {
					if v := got.Get(from, to); v != Inconclusive {
						t.Errorf("%s -> %s = %s, want Inconclusive", from, to, v.Name())
					}
				}
			}
		})
	}
}

func TestExpectConvenienceMatchesSnapshot(t *testing.T) {
	tp := standardTopology()
	policies := []networkingv1.NetworkPolicy{netpol("x", "deny", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		PolicyTypes: types(typeIngress, typeEgress),
	})}
	want, err := tp.snapshot(policies...).Expect(tcp80)
	if err != nil {
		t.Fatal(err)
	}
	got := Expect(policies, tp.pods, tp.namespaces, tcp80)
	if ok, report := Compare(want, got); !ok {
		t.Errorf("Expect differs from Snapshot.Expect:\n%s", report)
	}
}
