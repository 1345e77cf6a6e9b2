package netpol

import (
	"context"
	"fmt"
	"sort"

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
	// matrices is how many enforced matrices the case shows (1 when 0):
	// what it costs, for spreading the cases over lanes.
	matrices int
}

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
		features: []feature.Feature{feature.NetworkPolicyEgress},
		apply: func(ctx context.Context, t *e2e.Topology) {
			t.Apply(ctx, "x", policy("default-deny-egress", nil, egress))
		},
	},
	{
		name: "allows ingress from the same namespace only",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("allow-same-namespace", nil, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name: "allows ingress from namespaces selected by label",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("allow-from-y", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{NamespaceSelector: pods(map[string]string{"ns": "y"})})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name: "allows ingress from pods selected by label, in the policy's namespace only",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("allow-from-b", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name: "ANDs a namespaceSelector and a podSelector in one peer",
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("and", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
				NamespaceSelector: pods(map[string]string{"ns": "y"}), PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name: "ORs a namespaceSelector and a podSelector in two peers",
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
		features: []feature.Feature{feature.NamedPorts},
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("named-port", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("tcp-8081"))}}}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "allows a port range with endPort",
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
		features: []feature.Feature{feature.UDP},
		apply: func(ctx context.Context, t *e2e.Topology) {
			np := policy("udp-only", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromInt32(fixtures.PolicyPortA))}}}
			t.Apply(ctx, "x", np)
		},
	},
	{
		name:     "allows SCTP by port and protocol, and nothing else",
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

// maxLanes bounds how many topologies the conformance specs are spread
// over: one per parallel Ginkgo process (ginkgo -p --procs N), one in a
// serial run. Most of a case's time is waiting (for the CNI to apply a
// policy, for a denied probe to time out, for a deny to be shown to
// stay), so cases on separate topologies run side by side without
// changing what each proves: a topology's matrix only probes its own
// pods, and a policy only selects pods of its own namespace, so no case
// sees another's policies. (Each observation is one batch per source pod:
// on 2 cores 2 lanes take 143 s against 202 s for one, and a third lane
// is slower again, the probes saturating the CPU.)
const maxLanes = 4

func lanes() int {
	suite, _ := GinkgoConfiguration()
	return min(max(suite.ParallelTotal, 1), maxLanes)
}

// The conformance specs of one lane share one topology (nine pods),
// deployed once: each spec starts from no policy and the initial labels,
// proves the all-allowed baseline, applies its case and shows the matrix
// converges to what the evaluator computes from the objects, and stays
// there.
var _ = Describe("NetworkPolicy", Label("netpol", e2e.Conformance, e2e.FeatureNetworkPolicy), func() {
	n := lanes()
	for lane, cases := range spread(policyCases, n) {
		Context(fmt.Sprintf("(lane %d of %d)", lane+1, n), Ordered, ContinueOnFailure, func() {
			var topo *e2e.Topology

			BeforeAll(func(ctx SpecContext) {
				if ok, _ := e2e.Current.Features.Supports(feature.NetworkPolicy); ok {
					topo = e2e.DeployTopology(ctx, e2e.Cluster, fmt.Sprintf("netpol%d", lane+1), e2e.WithPodOptions(fixtures.WithPolicyPorts()))
				}
			})

			for _, c := range cases {
				It(c.name, Label(feature.Labels(c.features...)...), func(ctx SpecContext) {
					e2e.Requires(c.needs()...)
					DeferCleanup(func(ctx SpecContext) { topo.Reset(ctx) })
					By("every pod reaches every pod before any policy exists")
					topo.ExpectBaseline(ctx, c.probed()...)
					c.apply(ctx, topo)
					topo.ExpectEnforced(ctx, c.probed()...)
					if c.then != nil {
						c.then(ctx, topo)
					}
				})
			}
		})
	}
})

// spread deals the cases over n lanes, the costliest first, each to the
// lane with the least work so far; the order of cases within a lane is
// kept.
func spread(cases []policyCase, n int) [][]policyCase {
	order := make([]int, len(cases))
	for i := range order {
		order[i] = i
	}
	cost := func(i int) int { return max(cases[i].matrices, 1) }
	sort.SliceStable(order, func(a, b int) bool { return cost(order[a]) > cost(order[b]) })
	load := make([]int, n)
	picked := make([][]int, n)
	for _, i := range order {
		lane := 0
		for l := range load {
			if load[l] < load[lane] {
				lane = l
			}
		}
		load[lane] += cost(i)
		picked[lane] = append(picked[lane], i)
	}
	out := make([][]policyCase, n)
	for l, idx := range picked {
		sort.Ints(idx)
		for _, i := range idx {
			out[l] = append(out[l], cases[i])
		}
	}
	return out
}

func relabel(ctx context.Context, p *corev1.Pod, key, value string) {
	GinkgoHelper()
	live, err := e2e.Cluster.Clientset.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	live.Labels[key] = value
	_, err = e2e.Cluster.Clientset.CoreV1().Pods(p.Namespace).Update(ctx, live, metav1.UpdateOptions{})
	Expect(err).NotTo(HaveOccurred())
}
