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
// cases with enforcement switched off to show each step reports its cells.
type policyCase struct {
	name string
	id   string // the spec's ID (e2e.ID)
	// features the case needs besides NetworkPolicy: each gives the spec
	// its label and its NotSupported gate.
	features []feature.Feature
	cases    []reach.Case // probed in the matrix; portCases when nil
	// steps change the topology one after the other (create policies,
	// relabel pods or namespaces, delete a policy); after each, the matrix
	// is checked against what the evaluator computes from the objects,
	// and those expected tables against what the step intends.
	steps []policyStep
	// beyond, when set, checks after the last step what the matrix cannot
	// show (DNS through an egress policy).
	beyond func(ctx context.Context, t *e2e.Topology)
}

// policyStep is one change a case makes, and what it intends the matrix
// to become.
type policyStep struct {
	name   string
	intent reach.Intent
	do     func(ctx context.Context, t objects)
}

// objects are what a case's steps change: the topology's in the cluster
// (e2e.Topology), or a unit test's, which the evaluator reads without a
// cluster to show every step's intent holds.
type objects interface {
	Pod(ns, name string) *corev1.Pod
	Apply(ctx context.Context, ns string, np *networkingv1.NetworkPolicy)
	DeletePolicy(ctx context.Context, ns, name string)
	RelabelPod(ctx context.Context, ns, name, key, value string)
	Label(ctx context.Context, ns string, labels map[string]string) map[string]string
}

// applying is the step of a case that applies its policies, which deny
// some cell (every case's first step).
func applying(do func(ctx context.Context, t objects)) policyStep {
	return policyStep{name: "applying its policies", intent: reach.Denies, do: do}
}

// cost is what the case costs, in enforced matrices: the costliest start
// first.
func (c policyCase) cost() int { return len(c.steps) }

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

// step is s as the framework checks it, named after its case.
func (c policyCase) step(s policyStep) reach.Step {
	return reach.Step{Case: c.name, Name: s.name, Intent: s.intent}
}

// violatedUnenforced says whether the Disruptive spec must see the
// matrix after step i violated with enforcement off: every step that
// intends a deny, so that each is shown able to fail. A step that allows
// all matches an unenforced matrix; it is shown able to fail by the step
// before it, whose matrix it must change (reach.Step.Check).
func (c policyCase) violatedUnenforced(i int) bool {
	return c.steps[i].intent == reach.Denies
}

var policyCases = []policyCase{
	{
		name: "denies all ingress to the pods a policy with empty ingress rules selects (the guide's example)",
		id:   "netpol-deny-all-ingress",
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
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
			t.RelabelPod(ctx, "x", "a", "app", "sensitive-app")
			np := &networkingv1.NetworkPolicy{}
			Expect(decoder.DecodeString(manifest, np)).To(Succeed())
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name:     "denies all egress from every pod of a namespace with a default-deny egress policy",
		id:       "netpol-deny-all-egress",
		features: []feature.Feature{feature.NetworkPolicyEgress},
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			t.Apply(ctx, "x", policy("default-deny-egress", nil, egress))
		})},
	},
	{
		name: "allows ingress from the same namespace only",
		id:   "netpol-allow-same-namespace",
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("allow-same-namespace", nil, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}})}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name: "allows ingress from namespaces selected by label",
		id:   "netpol-allow-namespace-selector",
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("allow-from-y", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{NamespaceSelector: pods(map[string]string{"ns": "y"})})}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name: "allows ingress from pods selected by label, in the policy's namespace only",
		id:   "netpol-allow-pod-selector",
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("allow-from-b", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name: "ANDs a namespaceSelector and a podSelector in one peer",
		id:   "netpol-and-selectors",
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("and", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
				NamespaceSelector: pods(map[string]string{"ns": "y"}), PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name: "ORs a namespaceSelector and a podSelector in two peers",
		id:   "netpol-or-selectors",
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("or", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(
				networkingv1.NetworkPolicyPeer{NamespaceSelector: pods(map[string]string{"ns": "y"})},
				networkingv1.NetworkPolicyPeer{PodSelector: pods(map[string]string{"pod": "b"})})}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name:     "allows an ipBlock but not its except ranges",
		id:       "netpol-ipblock-except",
		features: []feature.Feature{feature.IPBlock},
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			excluded := t.Pod("y", "b").Status.PodIP
			np := policy("ipblock", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
				IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{excluded + "/32"}}})}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name:     "allows a named port, resolved on the destination pod",
		id:       "netpol-named-port",
		features: []feature.Feature{feature.NamedPorts},
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("named-port", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("tcp-8081"))}}}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name:     "allows a port range with endPort",
		id:       "netpol-endport",
		features: []feature.Feature{feature.EndPort},
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("end-port", map[string]string{"pod": "a"}, ingress)
			p := port(corev1.ProtocolTCP, intstr.FromInt32(fixtures.PolicyPortB))
			p.EndPort = ptr.To[int32](fixtures.PolicyPortB + 100)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{p}}}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name:     "tells UDP from TCP on the same port number",
		id:       "netpol-udp-vs-tcp",
		features: []feature.Feature{feature.UDP},
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("udp-only", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromInt32(fixtures.PolicyPortA))}}}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name:     "allows SCTP by port and protocol, and nothing else",
		id:       "netpol-sctp",
		features: []feature.Feature{feature.SCTP},
		cases:    []reach.Case{sctpA, tcpA},
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			np := policy("sctp-only", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolSCTP, intstr.FromInt32(fixtures.PolicyPortA))}}}
			t.Apply(ctx, "x", np)
		})},
	},
	{
		name:     "lets DNS through a default-deny egress policy when allowed explicitly",
		id:       "netpol-egress-allow-dns",
		features: []feature.Feature{feature.NetworkPolicyEgress},
		steps: []policyStep{applying(func(ctx context.Context, t objects) {
			t.Apply(ctx, "x", policy("default-deny-egress", nil, egress))
			dns := policy("allow-dns", nil, egress)
			dns.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: pods(map[string]string{"kubernetes.io/metadata.name": "kube-system"}),
					PodSelector:       pods(map[string]string{"k8s-app": "kube-dns"})}},
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromInt32(53)), port(corev1.ProtocolTCP, intstr.FromInt32(53))},
			}}
			t.Apply(ctx, "x", dns)
		})},
		beyond: func(ctx context.Context, t *e2e.Topology) {
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
		name: "follows pod and namespace label changes, and a deleted policy",
		id:   "netpol-label-changes",
		steps: []policyStep{
			applying(func(ctx context.Context, t objects) {
				np := policy("allow-from-b-in-y", map[string]string{"pod": "a"}, ingress)
				np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
					NamespaceSelector: pods(map[string]string{"ns": "y"}), PodSelector: pods(map[string]string{"pod": "b"})})}
				t.Apply(ctx, "x", np)
			}),
			{name: "relabelling y/c as pod=b", intent: reach.Denies, do: func(ctx context.Context, t objects) {
				t.RelabelPod(ctx, "y", "c", "pod", "b")
			}},
			{name: "relabelling namespace z as ns=y", intent: reach.Denies, do: func(ctx context.Context, t objects) {
				t.Label(ctx, "z", map[string]string{"ns": "y"})
			}},
			{name: "deleting the policy", intent: reach.AllowsAll, do: func(ctx context.Context, t objects) {
				t.DeletePolicy(ctx, "x", "allow-from-b-in-y")
			}},
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
// initial labels, proves the all-allowed baseline, then takes its steps,
// after each showing that the matrix converges to what the evaluator
// computes from the objects, and stays there.
var _ = func() bool {
	for _, c := range policyCases {
		Describe("NetworkPolicy", Label("netpol", e2e.Conformance, e2e.FeatureNetworkPolicy), SpecPriority(c.cost()), func() {
			It(c.name, e2e.ID(c.id), Label(feature.Labels(c.features...)...), func(ctx SpecContext) {
				e2e.Requires(c.needs()...)
				topo := topology(ctx)
				By("every pod reaches every pod before any policy exists")
				topo.ExpectBaseline(ctx, c.probed()...)
				for _, s := range c.steps {
					By(s.name)
					s.do(ctx, topo)
					topo.ExpectEnforced(ctx, c.step(s), c.probed()...)
				}
				if c.beyond != nil {
					c.beyond(ctx, topo)
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
// (removing nine pods takes about 10 s of a 2-core VM's CPU), while the
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
