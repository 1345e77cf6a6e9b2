package reach

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// The tests in this file replay the examples of the Kubernetes
// NetworkPolicy documentation (concepts/services-networking/network-policies).

// testNetworkPolicy is the documentation's "test-network-policy".
func testNetworkPolicy() networkingv1.NetworkPolicy {
	return netpol("default", "test-network-policy", networkingv1.NetworkPolicySpec{
		PodSelector: selector("role", "db"),
		PolicyTypes: types(typeIngress, typeEgress),
		Ingress: []networkingv1.NetworkPolicyIngressRule{ingress(ports(port(tcp, 6379)),
			blockPeer("172.17.0.0/16", "172.17.1.0/24"),
			nsPeer("project", "myproject"),
			podPeer("role", "frontend"),
		)},
		Egress: []networkingv1.NetworkPolicyEgressRule{egress(ports(port(tcp, 5978)),
			blockPeer("10.0.0.0/24"),
		)},
	})
}

func testNetworkPolicySnapshot() *Snapshot {
	s := NewSnapshot(
		[]networkingv1.NetworkPolicy{testNetworkPolicy()},
		[]corev1.Pod{
			pod("default", "db", "192.168.0.10", "role", "db"),
			pod("default", "frontend", "192.168.0.11", "role", "frontend"),
			pod("default", "web", "192.168.0.12"),
			pod("myproject", "app", "192.168.1.10"),
			pod("other", "frontend", "192.168.2.10", "role", "frontend"),
			pod("other", "legacy", "172.17.0.5"),
			pod("other", "excepted", "172.17.1.5"),
		},
		[]corev1.Namespace{
			namespace("default"),
			namespace("myproject", "project", "myproject"),
			namespace("other"),
		},
	)
	s.Endpoints = append(s.Endpoints,
		ExternalEndpoint("ext-in-block", "10.0.0.5"),
		ExternalEndpoint("ext-outside", "10.0.1.5"),
	)
	return s
}

func TestDocsTestNetworkPolicy(t *testing.T) {
	s := testNetworkPolicySnapshot()
	tests := []struct {
		c    Case
		want string
	}{
		{
			// Ingress to db on 6379 from the ipBlock (minus except), from
			// namespace myproject and from frontends of db's own
			// namespace. db's egress only reaches 10.0.0.0/24:5978.
			c: Case{Port: 6379, Protocol: tcp},
			want: `
			                   default/db default/frontend default/web myproject/app other/frontend other/legacy other/excepted ext-in-block ext-outside
			default/db             X             X              X            X             X              X             X               X            X
			default/frontend       .             .              .            .             .              .             .               .            .
			default/web            X             .              .            .             .              .             .               .            .
			myproject/app          .             .              .            .             .              .             .               .            .
			other/frontend         X             .              .            .             .              .             .               .            .
			other/legacy           .             .              .            .             .              .             .               .            .
			other/excepted         X             .              .            .             .              .             .               .            .
			ext-in-block           X             .              .            .             .              .             .               .            .
			ext-outside            X             .              .            .             .              .             .               .            .
			`,
		},
		{
			// 5978 is only open from db to the 10.0.0.0/24 block; nobody
			// may reach db on it.
			c: Case{Port: 5978, Protocol: tcp},
			want: `
			                   default/db default/frontend default/web myproject/app other/frontend other/legacy other/excepted ext-in-block ext-outside
			default/db             X             X              X            X             X              X             X               .            X
			default/frontend       X             .              .            .             .              .             .               .            .
			default/web            X             .              .            .             .              .             .               .            .
			myproject/app          X             .              .            .             .              .             .               .            .
			other/frontend         X             .              .            .             .              .             .               .            .
			other/legacy           X             .              .            .             .              .             .               .            .
			other/excepted         X             .              .            .             .              .             .               .            .
			ext-in-block           X             .              .            .             .              .             .               .            .
			ext-outside            X             .              .            .             .              .             .               .            .
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.c.String(), func(t *testing.T) {
			expectTable(t, s, tt.c, tt.want)
		})
	}
}

func TestDocsTestNetworkPolicyProtocolMatters(t *testing.T) {
	s := testNetworkPolicySnapshot()
	expectCell(t, mustExpect(t, s, Case{Port: 6379, Protocol: udp}), "default/frontend -> default/db", Deny)
	expectCell(t, mustExpect(t, s, Case{Port: 5978, Protocol: udp}), "default/db -> ext-in-block", Deny)
}

// The documentation's default policies, applied to namespace x of the
// standard topology; y and z have no policies and must stay open.
func TestDocsDefaultPolicies(t *testing.T) {
	defaultDenyIngress := netpol("x", "default-deny-ingress", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		PolicyTypes: types(typeIngress),
	})
	allowAllIngress := netpol("x", "allow-all-ingress", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		Ingress:     []networkingv1.NetworkPolicyIngressRule{{}},
		PolicyTypes: types(typeIngress),
	})
	defaultDenyEgress := netpol("x", "default-deny-egress", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		PolicyTypes: types(typeEgress),
	})
	allowAllEgress := netpol("x", "allow-all-egress", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		Egress:      []networkingv1.NetworkPolicyEgressRule{{}},
		PolicyTypes: types(typeEgress),
	})
	defaultDenyAll := netpol("x", "default-deny-all", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		PolicyTypes: types(typeIngress, typeEgress),
	})
	const allAllowed = `
	    x/a x/b y/a y/b z/a
	x/a  .   .   .   .   .
	x/b  .   .   .   .   .
	y/a  .   .   .   .   .
	y/b  .   .   .   .   .
	z/a  .   .   .   .   .
	`
	tests := []struct {
		name     string
		policies []networkingv1.NetworkPolicy
		want     string
	}{
		{"no policies", nil, allAllowed},
		{
			// Traffic within x is denied too (a pod reaching itself is left open).
			"default deny ingress", []networkingv1.NetworkPolicy{defaultDenyIngress}, `
			    x/a x/b y/a y/b z/a
			x/a  X   X   .   .   .
			x/b  X   X   .   .   .
			y/a  X   X   .   .   .
			y/b  X   X   .   .   .
			z/a  X   X   .   .   .
			`,
		},
		{"allow all ingress", []networkingv1.NetworkPolicy{allowAllIngress}, allAllowed},
		{"allow all ingress overrides default deny", []networkingv1.NetworkPolicy{defaultDenyIngress, allowAllIngress}, allAllowed},
		{
			"default deny egress", []networkingv1.NetworkPolicy{defaultDenyEgress}, `
			    x/a x/b y/a y/b z/a
			x/a  X   X   X   X   X
			x/b  X   X   X   X   X
			y/a  .   .   .   .   .
			y/b  .   .   .   .   .
			z/a  .   .   .   .   .
			`,
		},
		{"allow all egress", []networkingv1.NetworkPolicy{allowAllEgress}, allAllowed},
		{"allow all egress overrides default deny", []networkingv1.NetworkPolicy{defaultDenyEgress, allowAllEgress}, allAllowed},
		{
			"default deny all", []networkingv1.NetworkPolicy{defaultDenyAll}, `
			    x/a x/b y/a y/b z/a
			x/a  X   X   X   X   X
			x/b  X   X   X   X   X
			y/a  X   X   .   .   .
			y/b  X   X   .   .   .
			z/a  X   X   .   .   .
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectTable(t, standardTopology().snapshot(tt.policies...), tcp80, tt.want)
		})
	}
}

// The documentation's "multi-port-egress" example: egress from role=db to
// 10.0.0.0/24 on TCP 32000 through 32768.
func TestDocsEndPort(t *testing.T) {
	policy := netpol("default", "multi-port-egress", networkingv1.NetworkPolicySpec{
		PodSelector: selector("role", "db"),
		PolicyTypes: types(typeEgress),
		Egress: []networkingv1.NetworkPolicyEgressRule{egress(ports(portRange(tcp, 32000, 32768)),
			blockPeer("10.0.0.0/24"),
		)},
	})
	s := NewSnapshot([]networkingv1.NetworkPolicy{policy},
		[]corev1.Pod{pod("default", "db", "192.168.0.10", "role", "db")},
		[]corev1.Namespace{namespace("default")})
	s.Endpoints = append(s.Endpoints, ExternalEndpoint("ext", "10.0.0.7"))
	tests := []struct {
		c    Case
		want Verdict
	}{
		{Case{Port: 31999, Protocol: tcp}, Deny},
		{Case{Port: 32000, Protocol: tcp}, Allow},
		{Case{Port: 32500, Protocol: tcp}, Allow},
		{Case{Port: 32768, Protocol: tcp}, Allow},
		{Case{Port: 32769, Protocol: tcp}, Deny},
		{Case{Port: 32000, Protocol: udp}, Deny},
	}
	for _, tt := range tests {
		t.Run(tt.c.String(), func(t *testing.T) {
			expectCell(t, mustExpect(t, s, tt.c), "default/db -> ext", tt.want)
		})
	}
}

// The documentation contrasts one peer holding both selectors (AND) with
// two peers holding one each (OR).
func TestDocsNamespaceAndPodSelectorAndVersusOr(t *testing.T) {
	tp := topology{
		namespaces: []corev1.Namespace{
			namespace("alice", "user", "alice"),
			namespace("bob", "user", "bob"),
		},
		pods: []corev1.Pod{
			pod("alice", "client", "192.168.1.1", "role", "client"),
			pod("alice", "other", "192.168.1.2"),
			pod("bob", "client", "192.168.2.1", "role", "client"),
			pod("bob", "other", "192.168.2.2"),
			pod("bob", "server", "192.168.2.3", "role", "server"),
		},
	}
	both := networkingv1.NetworkPolicyPeer{
		NamespaceSelector: selectorRef("user", "alice"),
		PodSelector:       selectorRef("role", "client"),
	}
	policy := func(from ...networkingv1.NetworkPolicyPeer) networkingv1.NetworkPolicy {
		return netpol("bob", "server-ingress", networkingv1.NetworkPolicySpec{
			PodSelector: selector("role", "server"),
			Ingress:     []networkingv1.NetworkPolicyIngressRule{ingress(nil, from...)},
		})
	}
	tests := []struct {
		name   string
		policy networkingv1.NetworkPolicy
		want   string
	}{
		{
			// Only clients in alice's namespaces.
			"one peer with both selectors", policy(both), `
			             alice/client alice/other bob/client bob/other bob/server
			alice/client      .            .          .          .          .
			alice/other       .            .          .          .          X
			bob/client        .            .          .          .          X
			bob/other         .            .          .          .          X
			bob/server        .            .          .          .          X
			`,
		},
		{
			// Anything in alice's namespaces, or clients in bob (the
			// policy's own namespace).
			"two peers", policy(nsPeer("user", "alice"), podPeer("role", "client")), `
			             alice/client alice/other bob/client bob/other bob/server
			alice/client      .            .          .          .          .
			alice/other       .            .          .          .          .
			bob/client        .            .          .          .          .
			bob/other         .            .          .          .          X
			bob/server        .            .          .          .          X
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectTable(t, tp.snapshot(tt.policy), tcp80, tt.want)
		})
	}
}

// The documentation targets a namespace by the automatic
// kubernetes.io/metadata.name label. It must work whether or not the
// namespace objects handed in carry it.
func TestDocsTargetNamespaceByName(t *testing.T) {
	policy := netpol("x", "from-y", networkingv1.NetworkPolicySpec{
		PodSelector: selector(),
		Ingress: []networkingv1.NetworkPolicyIngressRule{ingress(nil,
			nsPeer(corev1.LabelMetadataName, "y"),
		)},
	})
	const want = `
	    x/a x/b y/a y/b z/a
	x/a  X   X   .   .   .
	x/b  X   X   .   .   .
	y/a  .   .   .   .   .
	y/b  .   .   .   .   .
	z/a  X   X   .   .   .
	`
	withLabel := standardTopology()
	for i := range withLabel.namespaces {
		withLabel.namespaces[i].Labels[corev1.LabelMetadataName] = withLabel.namespaces[i].Name
	}
	withoutObjects := standardTopology()
	withoutObjects.namespaces = nil
	tests := []struct {
		name string
		tp   topology
	}{
		{"label present", withLabel},
		{"label missing from objects", standardTopology()},
		{"no namespace objects", withoutObjects},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectTable(t, tt.tp.snapshot(policy), tcp80, want)
		})
	}
}
