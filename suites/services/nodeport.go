package services

import (
	"context"
	"net"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// fromRunner probes from this process: "outside the cluster" is the
// runner's host, which reaches kind nodes on their Docker network.
func fromRunner(ctx context.Context, p probe.Probe) probe.Result {
	return probe.One(ctx, p)
}

// runnerAddress is the source address this host uses towards ip.
func runnerAddress(ip string) string {
	GinkgoHelper()
	conn, err := net.Dial("udp", e2e.Addr(ip, 9)) // no packet is sent
	Expect(err).NotTo(HaveOccurred(), "no route from the runner to %s", ip)
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).IP.String()
}

// answersOnEveryNode checks, from the runner's host, that every TCP and UDP
// NodePort of svc answers on every node IP, from one of its backends.
func answersOnEveryNode(ctx context.Context, cl *kube.Client, svc *corev1.Service) {
	GinkgoHelper()
	ports := map[probe.Protocol]int{}
	for _, p := range svc.Spec.Ports {
		switch p.Name {
		case agent.EchoTCPPortName:
			ports[probe.TCP] = int(p.NodePort)
		case agent.EchoUDPPortName:
			ports[probe.UDP] = int(p.NodePort)
		}
	}
	Expect(ports).To(HaveLen(2), "Service %s needs NodePorts for echo-tcp and echo-udp", svc.Name)
	for node, ip := range e2e.NodeIPs(ctx, cl) {
		for proto, port := range ports {
			target := e2e.Addr(ip, port)
			Eventually(ctx, func(g Gomega) {
				r := fromRunner(ctx, probe.Probe{ID: string(proto), Protocol: proto, Target: target})
				serviceClient{cl, nil, svc}.expectConnected(ctx, g, r, "%s NodePort %s on node %s: %s", proto, target, node, r.Error)
				g.Expect(r.Echo.Pod).To(HavePrefix("web-"))
			}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
		}
	}
}

var _ = Describe("A Service of type NodePort", Label("services", e2e.Conformance, e2e.FeatureNodePort), func() {
	It("preserves the client source IP with externalTrafficPolicy Local, and answers only on nodes with an endpoint", e2e.ID("svc-nodeport-local-client-ip"), func(ctx SpecContext) {
		cl := e2e.Cluster
		nodes := e2e.SchedulableNodes(ctx, cl, 2)
		ips := e2e.NodeIPs(ctx, cl)
		ns := e2e.Namespace(ctx, cl, "etp-local")
		e2e.Deploy(ctx, cl, agent.Pod("web-0", ns, fixtures.InGroup("web"), agent.OnNode(nodes[0])))
		svc := e2e.Create(ctx, cl, fixtures.AgentService("web", ns, "web",
			fixtures.OfType(corev1.ServiceTypeNodePort), fixtures.WithLocalTrafficPolicy()))
		port := int(svc.Spec.Ports[0].NodePort)
		withEndpoint, without := e2e.Addr(ips[nodes[0]], port), e2e.Addr(ips[nodes[1]], port)
		source := runnerAddress(ips[nodes[0]])

		Eventually(ctx, func(g Gomega) {
			r := fromRunner(ctx, probe.Probe{ID: "local", Protocol: probe.TCP, Target: withEndpoint})
			serviceClient{cl, nil, svc}.expectConnected(ctx, g, r, "NodePort %s on %s, which runs the endpoint: %s", withEndpoint, nodes[0], r.Error)
			g.Expect(e2e.PeerIP(r)).To(Equal(source), "the endpoint saw %s, not the client %s: the source was NATed despite externalTrafficPolicy Local", e2e.PeerIP(r), source)
		}).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())

		By("a node without a local endpoint does not forward the connection elsewhere")
		Consistently(ctx, func(g Gomega) {
			r := fromRunner(ctx, probe.Probe{ID: "remote", Protocol: probe.TCP, Target: without, TimeoutMs: timeouts.Ms(timeouts.Current.Attempt)})
			g.Expect(r.Verdict).NotTo(Equal(probe.Connected), "NodePort %s on %s (no local endpoint) answered from %v", without, nodes[1], r.Echo)
		}).WithTimeout(5 * timeouts.Current.Repeat).WithPolling(timeouts.Current.Repeat).Should(Succeed())
	})
})
