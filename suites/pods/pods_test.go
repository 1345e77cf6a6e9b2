package pods

import (
	"net"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/timeouts"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
)

// One topology serves the specs that only read it: a server (with a
// sidecar agent, for localhost) and a client on its node, a client and
// a server on another node. Deployed once, it costs one pod start-up
// instead of one per spec.
var _ = Describe("Pod networking", Label("pods", e2e.Conformance), Ordered, ContinueOnFailure, func() {
	var (
		cl                          *kube.Client
		nodes                       []string
		server, sameNode, otherNode *corev1.Pod
		all                         []*corev1.Pod
	)
	BeforeAll(func(ctx SpecContext) {
		cl = e2e.Cluster
		nodes = e2e.SchedulableNodes(ctx, cl, 2)
		ns := e2e.Namespace(ctx, cl, "pods")
		all = e2e.DeployAll(ctx, cl,
			agent.Pod("server", ns, agent.OnNode(nodes[0]), agent.WithSidecar()),
			agent.Pod("client-same-node", ns, agent.OnNode(nodes[0])),
			agent.Pod("client-other-node", ns, agent.OnNode(nodes[1])),
			agent.Pod("server-other-node", ns, agent.OnNode(nodes[1])))
		server, sameNode, otherNode = all[0], all[1], all[2]
	})

	It("gives every pod a unique IP inside its node's podCIDR", func(ctx SpecContext) {
		owner := map[string]string{}
		for _, p := range all {
			node, err := cl.Clientset.CoreV1().Nodes().Get(ctx, p.Spec.NodeName, metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			if len(node.Spec.PodCIDRs) == 0 {
				e2e.NotSupported("node " + node.Name + " has no podCIDR: the CNI allocates pod IPs itself")
			}
			Expect(p.Status.PodIPs).NotTo(BeEmpty(), "pod %s is Ready without an IP", p.Name)
			for _, ip := range p.Status.PodIPs {
				Expect(owner).NotTo(HaveKey(ip.IP), "pods %s and %s share IP %s", owner[ip.IP], p.Name, ip.IP)
				owner[ip.IP] = p.Name
				Expect(inAny(ip.IP, node.Spec.PodCIDRs)).To(BeTrue(), "pod %s has IP %s outside node %s's podCIDRs %v", p.Name, ip.IP, node.Name, node.Spec.PodCIDRs)
			}
		}
	})

	It("lets the containers of one pod talk over localhost", func(ctx SpecContext) {
		Eventually(ctx, func(g Gomega) {
			res, err := e2e.ProbeFrom(ctx, cl, server, agent.SidecarContainer,
				probe.Probe{ID: "tcp", Protocol: probe.TCP, Target: e2e.Addr("127.0.0.1", agent.Port)},
				probe.Probe{ID: "udp", Protocol: probe.UDP, Target: e2e.Addr("127.0.0.1", agent.Port)})
			g.Expect(err).NotTo(HaveOccurred())
			for _, r := range res {
				e2e.ExpectConnectedFrom(g, r, "127.0.0.1")
				g.Expect(r.Echo.Pod).To(Equal(server.Name))
			}
		}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
	})

	It("delivers TCP and UDP on the same node and across nodes, with the client pod IP as source", func(ctx SpecContext) {
		target := e2e.Addr(server.Status.PodIP, agent.Port)
		for _, client := range []*corev1.Pod{sameNode, otherNode} {
			By("probing from " + client.Name + " on " + client.Spec.NodeName)
			Eventually(ctx, func(g Gomega) {
				res, err := e2e.Probe(ctx, cl, client,
					probe.Probe{ID: "tcp", Protocol: probe.TCP, Target: target},
					probe.Probe{ID: "udp", Protocol: probe.UDP, Target: target})
				g.Expect(err).NotTo(HaveOccurred())
				for _, r := range res {
					e2e.ExpectConnectedFrom(g, r, client.Status.PodIP)
					g.Expect(r.Echo.Node).To(Equal(nodes[0]), "answered from the wrong node")
				}
			}).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
		}
	})
})

var _ = Describe("Pod networking", Label("pods", e2e.Conformance), func() {
	Context("with host networking", Label(e2e.FeatureHostNetwork), func() {
		It("lets a node reach pods, and pods reach a hostNetwork pod on its node IP", func(ctx SpecContext) {
			cl := e2e.Cluster
			nodes := e2e.SchedulableNodes(ctx, cl, 2)
			podNS := e2e.Namespace(ctx, cl, "hostnet-pods")
			hostNS := e2e.NamespaceWithLevel(ctx, cl, "hostnet", e2e.Privileged)
			deployed := e2e.DeployAll(ctx, cl,
				agent.Pod("pod", podNS, agent.OnNode(nodes[0])),
				agent.Pod("host", hostNS, agent.OnNode(nodes[1]), agent.WithHostNetwork()))
			pod, host := deployed[0], deployed[1]
			Expect(host.Status.PodIP).To(Equal(host.Status.HostIP), "a hostNetwork pod has its node's IP")

			By("node " + nodes[1] + " -> pod on " + nodes[0])
			Eventually(ctx, func(g Gomega) {
				res, err := e2e.Probe(ctx, cl, host,
					probe.Probe{ID: "tcp", Protocol: probe.TCP, Target: e2e.Addr(pod.Status.PodIP, agent.Port)},
					probe.Probe{ID: "udp", Protocol: probe.UDP, Target: e2e.Addr(pod.Status.PodIP, agent.Port)})
				g.Expect(err).NotTo(HaveOccurred())
				for _, r := range res {
					g.Expect(r.Verdict).To(Equal(probe.Connected), "node %s -> pod %s (%s): %s", nodes[1], pod.Status.PodIP, r.ID, r.Error)
				}
			}).WithTimeout(timeouts.Current.Probe).Should(Succeed())

			By("pod on " + nodes[0] + " -> hostNetwork pod on " + nodes[1])
			Eventually(ctx, func(g Gomega) {
				res, err := e2e.Probe(ctx, cl, pod,
					probe.Probe{ID: "tcp", Protocol: probe.TCP, Target: e2e.Addr(host.Status.PodIP, agent.HostNetworkPort)},
					probe.Probe{ID: "udp", Protocol: probe.UDP, Target: e2e.Addr(host.Status.PodIP, agent.HostNetworkPort)})
				g.Expect(err).NotTo(HaveOccurred())
				for _, r := range res {
					g.Expect(r.Verdict).To(Equal(probe.Connected), "pod %s -> node %s (%s): %s", pod.Status.PodIP, host.Status.PodIP, r.ID, r.Error)
					g.Expect(r.Echo.Node).To(Equal(nodes[1]))
				}
			}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
		})
	})
})

func inAny(ip string, cidrs []string) bool {
	addr := net.ParseIP(ip)
	for _, c := range cidrs {
		if _, n, err := net.ParseCIDR(c); err == nil && n.Contains(addr) {
			return true
		}
	}
	return false
}
