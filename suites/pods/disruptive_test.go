package pods

import (
	"context"
	"fmt"
	"strings"

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

// crossNodePair deploys a server on nodes[0] and a client on nodes[1] and
// returns the check the conformance spec makes between them.
func crossNodePair(ctx context.Context, cl *kube.Client, nodes []string) (client, server *corev1.Pod, check func(Gomega)) {
	GinkgoHelper()
	ns := e2e.Namespace(ctx, cl, "disrupt")
	pair := e2e.DeployAll(ctx, cl,
		agent.Pod("server", ns, agent.OnNode(nodes[0])),
		agent.Pod("client", ns, agent.OnNode(nodes[1])))
	server, client = pair[0], pair[1]
	target := e2e.Addr(server.Status.PodIP, agent.Port)
	return client, server, func(g Gomega) {
		res, err := e2e.Probe(ctx, cl, client, probe.Probe{ID: fmt.Sprintf("%s -> %s", nodes[1], nodes[0]), Protocol: probe.TCP, Target: target})
		g.Expect(err).NotTo(HaveOccurred())
		e2e.ExpectConnectedFrom(g, res[0], client.Status.PodIP)
	}
}

// These specs break a node on purpose and show that the conformance check
// then fails, naming the cause; each mends the node afterwards.
var _ = Describe("Pod networking, broken on purpose,", Label("pods", e2e.Disruptive), Serial, func() {
	It("is reported as NATed when a node masquerades pod-to-pod traffic", func(ctx SpecContext) {
		cl := e2e.Cluster
		nodes := e2e.SchedulableNodes(ctx, cl, 2)
		client, server, check := crossNodePair(ctx, cl, nodes)
		By("the check passes on the intact cluster")
		Eventually(ctx, check).WithTimeout(timeouts.Current.Probe).Should(Succeed())

		By("masquerading " + client.Name + "'s traffic on " + nodes[1])
		shell := e2e.OnNode(ctx, cl, nodes[1])
		rule := []string{"POSTROUTING", "-s", client.Status.PodIP + "/32", "-d", server.Status.PodIP + "/32", "-j", "MASQUERADE"}
		shell.Run(ctx, append([]string{"iptables", "-t", "nat", "-I"}, rule...)...)
		DeferCleanup(func(ctx SpecContext) { shell.Run(ctx, append([]string{"iptables", "-t", "nat", "-D"}, rule...)...) })

		Eventually(ctx, func() string { return e2e.Failure(check) }).WithTimeout(timeouts.Current.Probe).
			Should(ContainSubstring("the source was NATed"))
	})

	It("is reported as timing out when the route between two nodes is gone", func(ctx SpecContext) {
		cl := e2e.Cluster
		nodes := e2e.SchedulableNodes(ctx, cl, 2)
		_, server, check := crossNodePair(ctx, cl, nodes)
		Eventually(ctx, check).WithTimeout(timeouts.Current.Probe).Should(Succeed())

		serverNode, err := cl.Clientset.CoreV1().Nodes().Get(ctx, nodes[0], metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		if len(serverNode.Spec.PodCIDRs) == 0 {
			e2e.NotSupported("node " + nodes[0] + " has no podCIDR to route")
		}
		cidr := serverNode.Spec.PodCIDRs[0]
		shell := e2e.OnNode(ctx, cl, nodes[1])
		route := shell.Run(ctx, "ip", "route", "show", cidr)
		Expect(route).NotTo(BeEmpty(), "%s has no route to %s's pod CIDR %s (an overlay?)", nodes[1], nodes[0], cidr)
		By(fmt.Sprintf("blackholing %s on %s (was: %s)", cidr, nodes[1], route))
		// A blackhole, not a deletion: without a route the packets would
		// follow the default route out of the test network.
		shell.Run(ctx, "ip", "route", "replace", "blackhole", cidr)
		DeferCleanup(func(ctx SpecContext) {
			shell.Run(ctx, append([]string{"ip", "route", "replace"}, fieldsOf(route)...)...)
		})

		Eventually(ctx, func() string { return e2e.Failure(check) }).WithTimeout(timeouts.Current.Probe).
			Should(Or(ContainSubstring(string(probe.TimedOut)), ContainSubstring(string(probe.Refused))), "server %s", server.Status.PodIP)
	})
})

// fieldsOf turns "10.244.1.0/24 via 172.18.0.3 dev eth0 proto 17\n" into
// arguments for `ip route replace`.
func fieldsOf(route string) []string { return strings.Fields(route) }
