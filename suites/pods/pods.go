package pods

import (
	"net"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/mesh"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// One topology serves the specs that only read it: an agent pod on every
// node (the mesh) and a server with a sidecar agent, for localhost.
// Deployed once, it costs one pod start-up instead of one per spec.
var _ = Describe("Pod networking", Label("pods", e2e.Conformance), Ordered, ContinueOnFailure, func() {
	var (
		cl     *kube.Client
		m      *mesh.Mesh
		server *corev1.Pod
		all    []*corev1.Pod
	)
	BeforeAll(func(ctx SpecContext) {
		cl = e2e.Cluster
		ns := e2e.Namespace(ctx, cl, "pods")
		// Created before the mesh, so both start at once.
		e2e.CreatePods(ctx, cl, agent.Pod("server", ns, agent.WithSidecar()))
		m = e2e.DeployMesh(ctx, cl, false)
		var err error
		server, err = cl.WaitPodReady(ctx, ns, "server", timeouts.Current.PodReady)
		Expect(err).NotTo(HaveOccurred())
		all = []*corev1.Pod{server}
		for _, a := range m.Pods {
			p, err := cl.Clientset.CoreV1().Pods(a.Pod.Namespace).Get(ctx, a.Pod.Name, metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			all = append(all, p)
		}
	})

	It("gives every pod a unique IP inside its node's podCIDR", e2e.ID("pods-ip-unique-in-podcidr"), func(ctx SpecContext) {
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

	It("lets the containers of one pod talk over localhost", e2e.ID("pods-localhost-shared"), func(ctx SpecContext) {
		Eventually(ctx, func(g Gomega) {
			res, err := e2e.ProbeFrom(ctx, cl, server, agent.SidecarContainer,
				probe.Probe{ID: "tcp", Protocol: probe.TCP, Target: e2e.Addr("127.0.0.1", agent.Port)},
				probe.Probe{ID: "udp", Protocol: probe.UDP, Target: e2e.Addr("127.0.0.1", agent.Port)})
			g.Expect(err).NotTo(HaveOccurred())
			for _, r := range res {
				e2e.ExpectConnectedFrom(g, r, "127.0.0.1")
				g.Expect(r.Echo.Pod).To(Equal(server.Name), "sidecar of %s on %s -> 127.0.0.1 (%s): answered by another pod", server.Name, server.Spec.NodeName, r.ID)
			}
		}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
	})

	It("delivers TCP and UDP between pods on every ordered pair of nodes and on each node, the server seeing the client's own pod IP", e2e.ID("pods-nonat-tcp-udp"), func(ctx SpecContext) {
		e2e.ExpectMesh(ctx, cl, m, PodMesh...)
	})

	It("carries datagrams that fill the pod MTU and a multi-megabyte TCP transfer between pods on every pair of nodes", e2e.ID("pods-mtu-large-transfer"), func(ctx SpecContext) {
		e2e.ExpectMesh(ctx, cl, m, LargePackets...)
	})
})

// The checks of the specs above, shared with the Disruptive proofs.
var (
	PodMesh      = []mesh.Check{mesh.PodToPod(probe.TCP), mesh.PodToPod(probe.UDP)}
	LargePackets = []mesh.Check{mesh.FullDatagram(), mesh.Transfer(TransferBytes)}
	NodeMesh     = []mesh.Check{mesh.NodeToPod(probe.TCP), mesh.NodeToPod(probe.UDP), mesh.PodToNode(probe.TCP), mesh.PodToNode(probe.UDP)}
)

// TransferBytes is the size of the TCP transfer: thousands of full-size
// segments, so one lost to a path-MTU black hole cannot go unnoticed.
const TransferBytes = 4 << 20

var _ = Describe("Pod networking", Label("pods", e2e.Conformance), func() {
	Context("with host networking", Label(e2e.FeatureHostNetwork), func() {
		It("lets every node reach a pod on every node, and a pod on every node reach every node", e2e.ID("pods-node-pod-every-node"), func(ctx SpecContext) {
			cl := e2e.Cluster
			m := e2e.DeployMesh(ctx, cl, true)
			e2e.ExpectMesh(ctx, cl, m, NodeMesh...)
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
