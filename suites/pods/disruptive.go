package pods

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/mesh"
	"github.com/netconform/netconform/framework/timeouts"
)

// These specs break one node, in one direction where the data plane
// allows it, and show that the conformance checks then fail on exactly the
// node pairs broken, naming the node and the cause, and on nothing else;
// each mends the node afterwards. The first three share one mesh of pods
// (one per node), shown intact again by each spec before it breaks
// anything, so a mend that fell short fails the next spec, not passes it.
//
// The first two translate and drop only in the mesh's own pods (Confined
// to it) and go early, beside the other Confined proofs (after the
// Ingress ones, before hairpin's: 25-30 s on a 2-core VM); a node's routes are
// everyone's, so the third runs alone.
var _ = Describe("Pod networking, broken on purpose,", Label("pods", e2e.Disruptive), SpecPriority(2), Ordered, func() {
	var (
		cl            *kube.Client
		pods          *mesh.Mesh // the pods' mesh, without hostNetwork pods
		broken, other string     // broken is the node at fault, other a peer of it
	)
	BeforeAll(func(ctx SpecContext) {
		cl = e2e.Cluster
		nodes := e2e.SchedulableNodes(ctx, cl, 2)
		broken, other = nodes[1], nodes[0]
		pods = e2e.DeployMesh(ctx, cl, false)
	})

	It("names the node whose pods' traffic to other nodes is source-NATed, and fails only its pairs", e2e.ID("pods-broken-snat-node"), e2e.Confined("pod-mesh"), func(ctx SpecContext) {
		m := intact(ctx, cl, pods, PodMesh...)
		from, nodeIP := podCIDR(ctx, cl, broken), e2e.NodeIPs(ctx, cl)[broken]
		var want [][2]string
		for _, a := range m.Pods {
			if a.Node == broken {
				continue
			}
			want = append(want, [2]string{broken, a.Node})
			// Where the traffic arrives, in each peer pod's own network
			// namespace: the node's netfilter is not on every data path
			// (Cilium's eBPF tunnels pod traffic past it). Replies are
			// translated back there, so only what the pod sees changes.
			rule := []string{"INPUT", "-s", from, "-j", "SNAT", "--to-source", nodeIP}
			shell := e2e.OnNode(ctx, cl, a.Node)
			By(fmt.Sprintf("translating the source of %s's pods to %s's node IP %s in pod %s on %s", broken, broken, nodeIP, a.Pod.Name, a.Node))
			shell.InPod(ctx, a.Pod.Namespace, a.Pod.Name, append([]string{"iptables", "-t", "nat", "-I"}, rule...)...)
			DeferCleanup(func(ctx SpecContext) {
				shell.InPod(ctx, a.Pod.Namespace, a.Pod.Name, append([]string{"iptables", "-t", "nat", "-D"}, rule...)...)
			})
		}
		agent := e2e.MeshAgent(m, broken)
		failure := expectOnly(ctx, m, breakage{PodMesh, want}, PodMesh)
		Expect(failure).To(And(
			ContainSubstring("pod "+agent.Pod.Name+" on "+broken+" → pod "),
			MatchRegexp(regexp.QuoteMeta(broken)+`'s node IP\), not `+regexp.QuoteMeta(agent.IP)+": "+regexp.QuoteMeta(broken)+"'s traffic is source-NATed")), "the failure must name the node and the address seen")
		e2e.ExpectHeadline(failure, And(ContainSubstring(broken), ContainSubstring("source-NATed")))
		AddReportEntry("the conformance check's failure", failure)
	})

	It("names the node pair and the payload size lost to a path-MTU black hole", e2e.ID("pods-broken-mtu-blackhole"), e2e.Confined("pod-mesh"), func(ctx SpecContext) {
		checks := append(slices.Clone(PodMesh), LargePackets...)
		m := intact(ctx, cl, pods, checks...)

		// Large packets from broken's pods to other's vanish; small ones,
		// and everything in the other direction, still pass: what a tunnel
		// with a smaller MTU than the pods' and no ICMP back looks like.
		// Dropped as they reach other's pod, in its network namespace,
		// where every data path delivers them.
		target := e2e.MeshAgent(m, other)
		rule := []string{"PREROUTING", "-s", podCIDR(ctx, cl, broken), "-m", "length", "--length", fmt.Sprintf("%d:65535", BlackHoleFrom), "-j", "DROP"}
		shell := e2e.OnNode(ctx, cl, other)
		By(fmt.Sprintf("dropping packets of %d bytes or more from %s's pods as they reach pod %s on %s", BlackHoleFrom, broken, target.Pod.Name, other))
		shell.InPod(ctx, target.Pod.Namespace, target.Pod.Name, append([]string{"iptables", "-t", "mangle", "-I"}, rule...)...)
		DeferCleanup(func(ctx SpecContext) {
			shell.InPod(ctx, target.Pod.Namespace, target.Pod.Name, append([]string{"iptables", "-t", "mangle", "-D"}, rule...)...)
		})

		failure := expectOnly(ctx, m, breakage{LargePackets, [][2]string{{broken, other}}}, checks)
		Expect(failure).To(And(MatchRegexp(`UDP: a \d+-byte payload \(`+broken+`'s pod interface \S+ has MTU \d+(, its routes MTU \d+)?\) did not cross: timed out`),
			MatchRegexp(`HTTP: a 4194304-byte payload \(`+broken+`'s pod interface \S+ has MTU \d+(, its routes MTU \d+)?\) did not cross`)))
		e2e.ExpectHeadline(failure, And(ContainSubstring(broken), ContainSubstring("MTU")))
		AddReportEntry("the conformance check's failure", failure)
	})

	It("names the node pair whose route is blackholed", e2e.ID("pods-broken-route-blackhole"), Label(e2e.FeatureNodeRoutes), func(ctx SpecContext) {
		e2e.Requires(feature.NodeRoutes)
		m := intact(ctx, cl, pods, PodMesh...)
		cidr := podCIDR(ctx, cl, other)
		shell := e2e.OnNode(ctx, cl, broken)
		route := shell.Run(ctx, "ip", "route", "show", cidr)
		Expect(route).NotTo(BeEmpty(), "%s has no route to %s's pod CIDR %s (an overlay?)", broken, other, cidr)
		By(fmt.Sprintf("blackholing %s on %s, ahead of its route (%s)", cidr, broken, strings.TrimSpace(route)))
		// A blackhole, not a deletion: without a route the packets would
		// follow the default route out of the test network. A rule ahead
		// of the main table, not a replaced route: the CNI puts its routes
		// back (kube-router every minute), and one that did so just after
		// the replace left nothing to see.
		rule := []string{"priority", "100", "to", cidr, "blackhole"}
		shell.Run(ctx, append([]string{"ip", "rule", "add"}, rule...)...)
		DeferCleanup(func(ctx SpecContext) {
			shell.Run(ctx, append([]string{"ip", "rule", "del"}, rule...)...)
		})
		// Routes are stateless: the replies of other's pods to broken's
		// take the same route, so both directions of the pair fail.
		failure := expectOnly(ctx, m, breakage{PodMesh, [][2]string{{broken, other}, {other, broken}}}, PodMesh)
		Expect(failure).To(ContainSubstring(fmt.Sprintf("on %s → pod %s on %s, TCP: timed out", broken, e2e.MeshAgent(m, other).Pod.Name, other)))
		e2e.ExpectHeadline(failure, And(ContainSubstring(broken), ContainSubstring(other)))
		AddReportEntry("the conformance check's failure", failure)
	})
})

// A node's own flows are everyone's too: this proof runs alone, on a mesh
// of its own (hostNetwork pods need a privileged namespace), apart from
// the ones above, so that the process that ran their Confined proofs
// goes on to other Confined proofs while this one waits for its turn.
var _ = Describe("Pod networking, broken on purpose,", Label("pods", e2e.Disruptive), func() {
	It("names the node that cannot open connections to another node's pods", e2e.ID("pods-broken-node-to-pod"), Label(e2e.FeatureHostNetwork), func(ctx SpecContext) {
		cl := e2e.Cluster
		nodes := e2e.SchedulableNodes(ctx, cl, 2)
		broken, other := nodes[1], nodes[0]
		m := intact(ctx, cl, e2e.DeployMesh(ctx, cl, true), NodeMesh...)

		// Only new flows the node itself opens: replies to pods' probes of
		// the node still leave, so pod → node keeps passing. In mangle:
		// kube-router rewrites the filter table and would drop the rule.
		rule := []string{"OUTPUT", "-d", podCIDR(ctx, cl, other), "-m", "conntrack", "--ctstate", "NEW", "-j", "DROP"}
		shell := e2e.OnNode(ctx, cl, broken)
		By(fmt.Sprintf("dropping connections from %s itself to %s's pods", broken, other))
		shell.Run(ctx, append([]string{"iptables", "-t", "mangle", "-I"}, rule...)...)
		DeferCleanup(func(ctx SpecContext) { shell.Run(ctx, append([]string{"iptables", "-t", "mangle", "-D"}, rule...)...) })

		failure := expectOnly(ctx, m, breakage{NodeMesh[:2], [][2]string{{broken, other}}}, NodeMesh)
		Expect(failure).To(ContainSubstring(fmt.Sprintf("node %s (hostNetwork pod host-%s) → pod %s on %s, TCP: timed out", broken, broken, e2e.MeshAgent(m, other).Pod.Name, other)))
		e2e.ExpectHeadline(failure, And(ContainSubstring(broken), ContainSubstring(other)))
		AddReportEntry("the conformance check's failure", failure)
	})
})

// intact shows the checks pass on the mesh before anything is broken: a
// proof that starts from a failing check proves nothing.
func intact(ctx context.Context, cl *kube.Client, m *mesh.Mesh, checks ...mesh.Check) *mesh.Mesh {
	GinkgoHelper()
	By("the checks pass on the intact cluster")
	e2e.ExpectMesh(ctx, cl, m, checks...)
	return m
}

// BlackHoleFrom is the smallest packet (IP length) the MTU proof drops:
// below a full-size packet on any pod network, above every small probe.
const BlackHoleFrom = 1200

// breakage is what a proof expects to see fail: the checks in failing, on
// exactly the pairs (from node, to node) in pairs; every other check of the
// observed ones passes.
type breakage struct {
	failing []mesh.Check
	pairs   [][2]string
}

// expectOnly observes checks on the mesh until exactly the breakage shows,
// and returns the failure the conformance spec would print.
func expectOnly(ctx context.Context, m *mesh.Mesh, want breakage, checks []mesh.Check) string {
	GinkgoHelper()
	cl, failing := e2e.Cluster, want.failing
	slices.SortFunc(want.pairs, comparePairs)
	var failure string
	Eventually(ctx, func(g Gomega) {
		obs := e2e.ObserveMesh(ctx, cl, m, checks...)
		failure = obs.Report()
		for _, t := range obs.Tables {
			var expected [][2]string
			if slices.ContainsFunc(failing, func(c mesh.Check) bool { return c.Name == t.Check.Name }) {
				expected = want.pairs
			}
			got := t.Failed()
			slices.SortFunc(got, comparePairs)
			g.Expect(got).To(Equal(expected), "%s: failed pairs\n%s", t.Check.Name, failure)
		}
	}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
	return failure
}

func comparePairs(a, b [2]string) int {
	return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1])
}

// podCIDR is node's first podCIDR; without one, the proof cannot aim.
func podCIDR(ctx context.Context, cl *kube.Client, node string) string {
	GinkgoHelper()
	n, err := cl.Clientset.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	if len(n.Spec.PodCIDRs) == 0 {
		e2e.NotSupported("node " + node + " has no podCIDR to aim at")
	}
	return n.Spec.PodCIDRs[0]
}
