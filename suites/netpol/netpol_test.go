package netpol

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/e2e-framework/klient/decoder"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/probe"
)

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

var _ = Describe("NetworkPolicy", Label("netpol", e2e.Conformance, e2e.FeatureNetworkPolicy), func() {
	var topo *Topology

	BeforeEach(func(ctx SpecContext) {
		e2e.Requires(cni.NetworkPolicy)
		topo = deployTopology(ctx, e2e.Cluster)
		By("every pod reaches every pod on every port before any policy exists")
		topo.ExpectEnforced(ctx)
	})

	It("denies all ingress to the pods a policy with empty ingress rules selects (the guide's example)", func(ctx SpecContext) {
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
		relabel(ctx, topo.Pod("x", "a"), "app", "sensitive-app")
		Expect(e2e.Cluster.Apply(ctx, []byte(manifest), decoder.MutateNamespace(topo.NS["x"]), decoder.MutateLabels(map[string]string{e2e.RunIDLabel: e2e.RunID}))).To(Succeed())
		topo.ExpectEnforced(ctx)
	})

	It("denies all egress from every pod of a namespace with a default-deny egress policy", Label(e2e.FeatureNetworkPolicy), func(ctx SpecContext) {
		e2e.Requires(cni.NetworkPolicyEgress)
		topo.Apply(ctx, "x", policy("default-deny-egress", nil, egress))
		topo.ExpectEnforced(ctx)
	})

	It("allows ingress from the same namespace only", func(ctx SpecContext) {
		np := policy("allow-same-namespace", nil, ingress)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}})}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("allows ingress from namespaces selected by label", func(ctx SpecContext) {
		np := policy("allow-from-y", map[string]string{"pod": "a"}, ingress)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{NamespaceSelector: pods(map[string]string{"ns": "y"})})}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("allows ingress from pods selected by label, in the policy's namespace only", func(ctx SpecContext) {
		np := policy("allow-from-b", map[string]string{"pod": "a"}, ingress)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{PodSelector: pods(map[string]string{"pod": "b"})})}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("ANDs a namespaceSelector and a podSelector in one peer", func(ctx SpecContext) {
		np := policy("and", map[string]string{"pod": "a"}, ingress)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
			NamespaceSelector: pods(map[string]string{"ns": "y"}), PodSelector: pods(map[string]string{"pod": "b"})})}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("ORs a namespaceSelector and a podSelector in two peers", func(ctx SpecContext) {
		np := policy("or", map[string]string{"pod": "a"}, ingress)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(
			networkingv1.NetworkPolicyPeer{NamespaceSelector: pods(map[string]string{"ns": "y"})},
			networkingv1.NetworkPolicyPeer{PodSelector: pods(map[string]string{"pod": "b"})})}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("allows an ipBlock but not its except ranges", func(ctx SpecContext) {
		e2e.Requires(cni.IPBlock)
		excluded := topo.Pod("y", "b").Status.PodIP
		np := policy("ipblock", map[string]string{"pod": "a"}, ingress)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
			IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{excluded + "/32"}}})}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("allows a named port, resolved on the destination pod", func(ctx SpecContext) {
		e2e.Requires(cni.NamedPorts)
		np := policy("named-port", map[string]string{"pod": "a"}, ingress)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("tcp-8081"))}}}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("allows a port range with endPort", func(ctx SpecContext) {
		e2e.Requires(cni.EndPort)
		np := policy("end-port", map[string]string{"pod": "a"}, ingress)
		p := port(corev1.ProtocolTCP, intstr.FromInt32(fixtures.PolicyPortB))
		p.EndPort = ptr.To[int32](fixtures.PolicyPortB + 100)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{p}}}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("tells UDP from TCP on the same port number", Label(e2e.FeatureUDP), func(ctx SpecContext) {
		np := policy("udp-only", map[string]string{"pod": "a"}, ingress)
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromInt32(fixtures.PolicyPortA))}}}
		topo.Apply(ctx, "x", np)
		topo.ExpectEnforced(ctx)
	})

	It("lets DNS through a default-deny egress policy when allowed explicitly", func(ctx SpecContext) {
		e2e.Requires(cni.NetworkPolicyEgress)
		topo.Apply(ctx, "x", policy("default-deny-egress", nil, egress))
		dns := policy("allow-dns", nil, egress)
		dns.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{
			To: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: pods(map[string]string{"kubernetes.io/metadata.name": "kube-system"}),
				PodSelector:       pods(map[string]string{"k8s-app": "kube-dns"})}},
			Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromInt32(53)), port(corev1.ProtocolTCP, intstr.FromInt32(53))},
		}}
		topo.Apply(ctx, "x", dns)
		topo.ExpectEnforced(ctx)
		client := topo.Pod("x", "a")
		name := "kubernetes.default.svc.cluster.local"
		Eventually(ctx, func(g Gomega) {
			res, err := e2e.Probe(ctx, e2e.Cluster, client, probe.Probe{ID: name, Protocol: probe.DNS, Target: name, TimeoutMs: 2000})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res[0].Verdict).To(Equal(probe.Connected), "DNS from %s/%s through the allow-dns policy: %s", client.Namespace, client.Name, res[0].Error)
		}).WithTimeout(ConvergeTimeout).MustPassRepeatedly(2).Should(Succeed())
	})

	Context("when the objects change", func() {
		It("follows pod and namespace label changes, and a deleted policy", func(ctx SpecContext) {
			np := policy("allow-from-b-in-y", map[string]string{"pod": "a"}, ingress)
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{from(networkingv1.NetworkPolicyPeer{
				NamespaceSelector: pods(map[string]string{"ns": "y"}), PodSelector: pods(map[string]string{"pod": "b"})})}
			topo.Apply(ctx, "x", np)
			topo.ExpectEnforced(ctx)

			By("relabelling y/c as pod=b")
			relabel(ctx, topo.Pod("y", "c"), "pod", "b")
			topo.ExpectEnforced(ctx)

			By("relabelling namespace z as ns=y")
			topo.Label(ctx, "z", map[string]string{"ns": "y"})
			topo.ExpectEnforced(ctx)

			By("deleting the policy")
			Expect(e2e.Cluster.Clientset.NetworkingV1().NetworkPolicies(topo.NS["x"]).Delete(ctx, np.Name, metav1.DeleteOptions{})).To(Succeed())
			topo.ExpectEnforced(ctx)
		})
	})
})

func relabel(ctx context.Context, p *corev1.Pod, key, value string) {
	GinkgoHelper()
	live, err := e2e.Cluster.Clientset.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	live.Labels[key] = value
	_, err = e2e.Cluster.Clientset.CoreV1().Pods(p.Namespace).Update(ctx, live, metav1.UpdateOptions{})
	Expect(err).NotTo(HaveOccurred())
}
