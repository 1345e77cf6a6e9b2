package pods

import (
	"net"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/probe"
)

var _ = Describe("Pod networking", Label("pods", e2e.Conformance), func() {
	It("delivers cross-node TCP traffic with the client pod IP as source", func(ctx SpecContext) {
		cl := e2e.Cluster
		nodes := e2e.SchedulableNodes(ctx, cl, 2)
		ns := e2e.Namespace(ctx, cl, "crossnode")
		server := e2e.Deploy(ctx, cl, fixtures.AgentPod("server", ns, fixtures.OnNode(nodes[0])))
		client := e2e.Deploy(ctx, cl, fixtures.AgentPod("client", ns, fixtures.OnNode(nodes[1])))
		target := net.JoinHostPort(server.Status.PodIP, strconv.Itoa(fixtures.AgentPort))

		Eventually(ctx, func(g Gomega) {
			res, err := e2e.Probe(ctx, cl, client, probe.Probe{ID: "tcp", Protocol: probe.TCP, Target: target})
			g.Expect(err).NotTo(HaveOccurred())
			r := res[0]
			g.Expect(r.Verdict).To(Equal(probe.Connected), "%s on %s -> %s on %s: %s", client.Name, nodes[1], target, nodes[0], r.Error)
			g.Expect(r.Echo.Node).To(Equal(nodes[0]), "answered by a pod on another node")
			peer, _, err := net.SplitHostPort(r.Echo.Peer)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(peer).To(Equal(client.Status.PodIP), "the server saw %s, not the client pod IP %s: the source was NATed", peer, client.Status.PodIP)
		}).WithTimeout(e2e.ProbeTimeout).MustPassRepeatedly(3).Should(Succeed())
	})
})
