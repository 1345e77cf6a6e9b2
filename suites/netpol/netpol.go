package netpol

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/e2e-framework/klient/decoder"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/reach"
	"github.com/netconform/netconform/framework/timeouts"
)

// Cases every matrix covers: two port numbers, over TCP and UDP.
var (
	tcpA      = reach.Case{Port: fixtures.PolicyPortA, Protocol: corev1.ProtocolTCP}
	tcpB      = reach.Case{Port: fixtures.PolicyPortB, Protocol: corev1.ProtocolTCP}
	udpA      = reach.Case{Port: fixtures.PolicyPortA, Protocol: corev1.ProtocolUDP}
	udpB      = reach.Case{Port: fixtures.PolicyPortB, Protocol: corev1.ProtocolUDP}
	portCases = []reach.Case{tcpA, tcpB, udpA, udpB}
)

// sctpA is the SCTP case, probed only by the spec that needs it: kernels
// without SCTP are common and make that spec NotSupported, not the others.
var sctpA = reach.Case{Port: fixtures.PolicyPortA, Protocol: corev1.ProtocolSCTP}

func policy(name string, selector map[string]string, types ...networkingv1.PolicyType) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: selector}, PolicyTypes: types},
	}
}

func from(peers ...networkingv1.NetworkPolicyPeer) networkingv1.NetworkPolicyIngressRule {
	return networkingv1.NetworkPolicyIngressRule{From: peers}
}

func pods(labels map[string]string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: labels}
}

func port(proto corev1.Protocol, p intstr.IntOrString) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &p}
}

var ingress = networkingv1.PolicyTypeIngress
var egress = networkingv1.PolicyTypeEgress

// policyCase is one NetworkPolicy spec as data: the conformance specs run
// every case on an enforcing CNI, and the Disruptive spec runs the same
// cases with enforcement switched off to show each one reports its cells.
type policyCase struct {
	name string
	id   string // the spec's ID (e2e.ID)
	// features the case needs besides NetworkPolicy: each gives the spec
	// its label and its NotSupported gate.
	features []feature.Feature
	cases    []reach.Case // probed in the matrix; portCases when nil
	// apply creates the case's policies (and relabels objects) in the
	// topology; the matrix is then checked against the evaluator.
	apply func(ctx context.Context, t *e2e.Topology)
	// then, when set, goes on after the first enforced matrix: further
	// changes, or checks beyond the matrix.
	then func(ctx context.Context, t *e2e.Topology)
	// matrices is how many enforced matrices the case shows (1 when 0).
	matrices int
}

// cost is what the case costs, in enforced matrices: the costliest start
// first.
func (c policyCase) cost() int { return max(c.matrices, 1) }

// needs is every feature the case needs.
func (c policyCase) needs() []feature.Feature {
	return append([]feature.Feature{feature.NetworkPolicy}, c.features...)
}

func (c policyCase) probed() []reach.Case {
	if c.cases == nil {
		return portCases
	}
	return c.cases
}

var policyCases = []policyCase{
	{
		name: "denies all ingress to the pods a policy with empty ingress rules selects (the guide's example)",
		id:   "netpol-deny-all-ingress",
		apply: func(ctx context.Context, t *e2e.Topology) {
			// Verbatim from the Kubernetes NetworkPolicy guide.
			manifest := `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all-ingress
spec:
  podSelector:
    matchLabels:
      app: sensitive-app
  ingress: []
`
			relabel(ctx, t.Pod("x", "a"), "app", "sensitive-app")
			np := &networkingv1.NetworkPolicy{}
			Expect(decoder.DecodeString(manifest, np)).To(Succeed())
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "denies all egress from every pod of a namespace with a default-deny egress policy",
		id:       "netpol-deny-all-egress",
		features: []feature.Feature{feature.NetworkPolicyEgress},
		apply: func(ctx context.Context, t *e2e.Topology) {
			t.Apply(ctx, "x", policy("default-deny-egress", nil, egress))
		},
	},
	{
		name: "allows ingress from the same namespace only",
		id:   "netpol-allow-same-namespace",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("allow-same-namespace", nil, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name: "allows ingress from namespaces selected by label",
		id:   "netpol-allow-namespace-selector",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("allow-from-y", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{NamespaceSelector: pods(map[string]string{"ns": "y"})})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name: "allows ingress from pods selected by label, in the policy's namespace only",
		id:   "netpol-allow-pod-selector",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("allow-from-b", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name: "ANDs a namespaceSelector and a podSelector in one peer",
		id:   "netpol-and-selectors",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("and", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
				NamespaceSelector: pods(map[string]string{"ns": "y"}), PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name: "ORs a namespaceSelector and a podSelector in two peers",
		id:   "netpol-or-selectors",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("or", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(
				networkingv1.NetworkPolicyPeer{NamespaceSelector: pods(map[string]string{"ns": "y"})},
				networkingv1.NetworkPolicyPeer{PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "allows an ipBlock but not its except ranges",
		id:       "netpol-ipblock-except",
		features: []feature.Feature{feature.IPBlock},
		apply: func(ctx context.Context, t *e2e.Topology) {
			excluded := t.Pod("y", "b").Status.PodIP
			np := policy("ipblock", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
				IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{excluded + "/32"}}})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "allows a named port, resolved on the destination pod",
		id:       "netpol-named-port",
		features: []feature.Feature{feature.NamedPorts},
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("named-port", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("tcp-8081"))}}}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "allows a port range with endPort",
		id:       "netpol-endport",
		features: []feature.Feature{feature.EndPort},
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("end-port", map[string]string{"pod": "a"}, ingress)
			p := port(corev1.ProtocolTCP, intstr.FromInt32(fixtures.PolicyPortB))
			p.EndPort = ptr.To[int32](fixtures.PolicyPortB + 100)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{p}}}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "tells UDP from TCP on the same port number",
		id:       "netpol-udp-vs-tcp",
		features: []feature.Feature{feature.UDP},
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("udp-only", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromInt32(fixtures.PolicyPortA))}}}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "allows SCTP by port and protocol, and nothing else",
		id:       "netpol-sctp",
		features: []feature.Feature{feature.SCTP},
		cases:    []reach.Case{sctpA, tcpA},
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("sctp-only", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolSCTP, intstr.FromInt32(fixtures.PolicyPortA))}}}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "lets DNS through a default-deny egress policy when allowed explicitly",
		id:       "netpol-egress-allow-dns",
		features: []feature.Feature{feature.NetworkPolicyEgress},
		apply: func(ctx context.Context, t *e2e.Topology) {
			t.Apply(ctx, "x", policy("default-deny-egress", nil, egress))
			dns := policy("allow-dns", nil, egress)
			dns.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: pods(map[string]string{"kubernetes.io/metadata.name": "kube-system"}),
					PodSelector:       pods(map[string]string{"k8s-app": "kube-dns"})}},
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromInt32(53)), port(corev1.ProtocolTCP, intstr.FromInt32(53))},
			}}
			t.Apply(ctx, "x", dns)
		},
		then: func(ctx context.Context, t *e2e.Topology) {
			client := t.Pod("x", "a")
			name := "kubernetes.default.svc.cluster.local"
			Eventually(ctx, func(g Gomega) {
				res, err := e2e.Probe(ctx, e2e.Cluster, client, probe.Probe{ID: name, Protocol: probe.DNS, Target: name, TimeoutMs: timeouts.Ms(timeouts.Current.DNSAttempt)})
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(res[0].Verdict).To(Equal(probe.Connected), "DNS from %s/%s through the allow-dns policy: %s", client.Namespace, client.Name, res[0].Error)
			}).WithTimeout(timeouts.Current.Converge).MustPassRepeatedly(2).Should(Succeed())
		},
	},
	{
		name:     "follows pod and namespace label changes, and a deleted policy",
		id:       "netpol-label-changes",
		matrices: 4,
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("allow-from-b-in-y", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
				NamespaceSelector: pods(map[string]string{"ns": "y"}), PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		},
		then: func(ctx context.Context, t *e2e.Topology) {
			By("relabelling y/c as pod=b")
			relabel(ctx, t.Pod("y", "c"), "pod", "b")
			t.ExpectEnforced(ctx, portCases...)

			By("relabelling namespace z as ns=y")
			t.Label(ctx, "z", map[string]string{"ns": "y"})
			t.ExpectEnforced(ctx, portCases...)

			By("deleting the policy")
			Expect(e2e.Cluster.Clientset.NetworkingV1().NetworkPolicies(t.NS["x"]).Delete(ctx, "allow-from-b-in-y", metav1.DeleteOptions{})).To(Succeed())
			t.ExpectEnforced(ctx, portCases...)
		},
	},
}

// The conformance specs are independent: Ginkgo hands each to whichever
// parallel process (ginkgo -p --procs N) is free, so the processes stay
// busy until the last case, the costliest cases first (each is a
// top-level container of its own, with its cost as SpecPriority: Ginkgo
// orders specs inside one container by their text). Each process deploys
// one topology (nine pods) for its first case and reuses it for the next
// ones, reset in between. Most of a case's time is waiting (for the CNI
// to apply a policy, for a denied probe to time out, for a deny to be
// shown to stay), so cases on separate topologies run side by side
// without changing what each proves: a topology's matrix only probes its
// own pods, and a policy only selects pods of its own namespace, so no
// case sees another's policies. Each spec starts from no policy and the
// initial labels, proves the all-allowed baseline, applies its case and
// shows the matrix converges to what the evaluator computes from the
// objects, and stays there.
var _ = func() bool {
	for _, c := range policyCases {
		Describe("NetworkPolicy", Label("netpol", e2e.Conformance, e2e.FeatureNetworkPolicy), SpecPriority(c.cost()), func() {
			It(c.name, e2e.ID(c.id), Label(feature.Labels(c.features...)...), func(ctx SpecContext) {
				e2e.Requires(c.needs()...)
				topo := topology(ctx)
				By("every pod reaches every pod before any policy exists")
				topo.ExpectBaseline(ctx, c.probed()...)
				c.apply(ctx, topo)
				topo.ExpectEnforced(ctx, c.probed()...)
				if c.then != nil {
					c.then(ctx, topo)
				}
			})
		})
	}
	return true
}()

// idle is this process's topology while no spec holds it: nil before the
// first case, and after a case whose reset failed (the next one deploys a
// fresh topology rather than inherit what that case left).
var idle *e2e.Topology

// A process with no case left starts removing its topology at once
// (removing nine pods takes about 10 s of this machine's CPU), while the
// others finish their cases; the run's cleanup waits for it, and removes
// the topology of a reset that failed.
var _ = e2e.OnProcessEnd(func(ctx context.Context) {
	if idle != nil {
		if err := idle.StartRemoval(ctx); err != nil {
			GinkgoWriter.Printf("the run's cleanup removes it instead: %v\n", err)
		}
	}
})

// topology lends the process's topology to the current spec, deploying
// it on first use, and takes it back reset when the spec ends. It stays
// until the suite ends, removed by the run's cleanup.
func topology(ctx SpecContext) *e2e.Topology {
	GinkgoHelper()
	t := idle
	if t == nil {
		t = e2e.DeployTopology(ctx, e2e.Cluster, fmt.Sprintf("netpol%d", GinkgoParallelProcess()),
			e2e.ForTheSuite(), e2e.WithPodOptions(fixtures.WithPolicyPorts()))
	}
	idle = nil
	DeferCleanup(func(ctx SpecContext) {
		t.Reset(ctx)
		idle = t
	})
	return t
}

func relabel(ctx context.Context, p *corev1.Pod, key, value string) {
	GinkgoHelper()
	live, err := e2e.Cluster.Clientset.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	live.Labels[key] = value
	_, err = e2e.Cluster.Clientset.CoreV1().Pods(p.Namespace).Update(ctx, live, metav1.UpdateOptions{})
	Expect(err).NotTo(HaveOccurred())
}
