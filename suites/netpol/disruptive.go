package netpol

import (
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/timeouts"
)

// setPolicy switches the detected CNI's NetworkPolicy enforcement through
// its descriptor.
func setPolicy(ctx SpecContext, sw cni.PolicySwitch, enforce bool) {
	GinkgoHelper()
	Expect(sw.SetPolicy(ctx, e2e.Cluster, e2e.Current.CNI, enforce)).To(Succeed(), "switching %s's NetworkPolicy enforcement (on: %v)", e2e.Current.CNI.Name, enforce)
}

var _ = Describe("NetworkPolicy, broken on purpose,", Label("netpol", e2e.Disruptive, e2e.FeatureNetworkPolicy), func() {
	It("reports the violating cells of every policy case when the CNI's enforcement is off but pods are still routed", e2e.ID("netpol-broken-enforcement-off"), func(ctx SpecContext) {
		desc, known := cni.Describe(e2e.Current.CNI.Name)
		if !known || desc.PolicySwitch == nil {
			e2e.NotSupported("the descriptor of CNI " + e2e.Current.CNI.Name + " has no switch for its NetworkPolicy enforcement, so it cannot be switched off to show the policy specs notice")
		}
		// Only a CNI that enforces policy can be shown to stop.
		e2e.Requires(feature.NetworkPolicy)
		topo := e2e.DeployTopology(ctx, e2e.Cluster, "netpol", e2e.WithPodOptions(fixtures.WithPolicyPorts()))
		topo.ExpectBaseline(ctx, portCases...)

		By("switching " + e2e.Current.CNI.Name + "'s NetworkPolicy enforcement off")
		setPolicy(ctx, desc.PolicySwitch, false)
		DeferCleanup(func(ctx SpecContext) { setPolicy(ctx, desc.PolicySwitch, true) })
		topo.ExpectBaseline(ctx, portCases...)

		diagnosed := false
		for _, c := range policyCases {
			if why := e2e.Missing(c.needs()...); why != "" {
				By("not applying " + c.name + ": " + why)
				continue
			}
			By("case: " + c.name)
			for i, s := range c.steps {
				By(s.name)
				s.do(ctx, topo)
				topo.ExpectStep(ctx, c.step(s), c.probed()...)
				if !c.violatedUnenforced(i) {
					continue
				}
				var violations string
				Eventually(ctx, func() string {
					violations = topo.Violations(ctx, c.probed()...)
					return violations
				}).WithTimeout(timeouts.Current.Converge).Should(ContainSubstring("cells differ"), "%s: the matrix must differ from what its policies demand", c.step(s))
				AddReportEntry("violations: "+c.name+", "+s.name, violations)
				e2e.ExpectHeadline(violations, ContainSubstring("NetworkPolicy not enforced"))
				if desc.DiagnosePolicy != nil && !diagnosed {
					// The CNI's own account of a violating cell: with
					// enforcement off, the destination enforces nothing.
					diagnosis := topo.CNIDiagnosis(ctx)
					Expect(diagnosis).To(ContainSubstring(" -> "), "%s: %s's diagnosis must name a differing cell", c.step(s), e2e.Current.CNI.Name)
					AddReportEntry("the CNI's view of the differing cells: "+c.name, diagnosis)
					diagnosed = true
				}
			}
			topo.Reset(ctx)
		}
	})
})

// nodeProofCases are the policy cases the one-node proof takes (their
// first step each): each polices pods on every node (all of namespace x,
// one direction each), so that the other nodes show they enforce while
// the broken one does not.
var nodeProofCases = []string{"netpol-deny-all-egress", "netpol-allow-same-namespace"}

var _ = Describe("NetworkPolicy, broken on purpose on one node,", Label("netpol", e2e.Disruptive, e2e.FeatureNetworkPolicy), func() {
	It("names the node and its agent's fault when enforcement is off for that node's pods only", e2e.ID("netpol-broken-one-node"), func(ctx SpecContext) {
		desc, known := cni.Describe(e2e.Current.CNI.Name)
		var sw cni.NodePolicySwitch
		if known {
			sw, _ = desc.PolicySwitch.(cni.NodePolicySwitch)
		}
		if sw == nil || desc.DiagnoseNodePolicy == nil {
			e2e.NotSupported("the descriptor of CNI " + e2e.Current.CNI.Name + " cannot switch NetworkPolicy enforcement off on one node and check that node's agent")
		}
		e2e.Requires(feature.NetworkPolicy)
		topo := e2e.DeployTopology(ctx, e2e.Cluster, "netpol-node", e2e.WithPodOptions(fixtures.WithPolicyPorts()))
		nodes := map[string]bool{}
		for _, p := range topo.Pods {
			nodes[p.Spec.NodeName] = true
		}
		if len(nodes) < 2 {
			Skip("the topology's pods run on one node: no other node can show that it enforces")
		}
		topo.ExpectBaseline(ctx, portCases...)

		// x/b's node: a worker on a cluster of three or more, placed there
		// by construction.
		node := topo.Pod("x", "b").Spec.NodeName
		By("switching " + e2e.Current.CNI.Name + "'s NetworkPolicy enforcement off on node " + node + " only")
		Expect(sw.SetNodePolicy(ctx, e2e.Cluster, e2e.Current.CNI, node, false)).To(Succeed(), "switching enforcement off on node %s", node)
		DeferCleanup(func(ctx SpecContext) {
			Expect(sw.SetNodePolicy(ctx, e2e.Cluster, e2e.Current.CNI, node, true)).To(Succeed(), "switching enforcement on again on node %s", node)
		})
		finding, _, err := cni.DiagnoseNodePolicy(ctx, e2e.Cluster, e2e.Current.CNI, node)
		Expect(err).NotTo(HaveOccurred(), "checking %s's agent on node %s", e2e.Current.CNI.Name, node)
		Expect(finding.Fault).NotTo(BeEmpty(), "%s's agent on node %s shows no fault with enforcement off there: %s", e2e.Current.CNI.Name, node, finding.Checked)
		topo.ExpectBaseline(ctx, portCases...)

		taken := 0
		for _, c := range policyCases {
			if !slices.Contains(nodeProofCases, c.id) || e2e.Missing(c.needs()...) != "" {
				continue
			}
			taken++
			By("case: " + c.name)
			s := c.steps[0]
			s.do(ctx, topo)
			topo.ExpectStep(ctx, c.step(s), c.probed()...)
			want := "NetworkPolicy not enforced for pods on node " + node + ": "
			var headline string
			Eventually(ctx, func() string {
				headline, _, _ = strings.Cut(topo.Violations(ctx, c.probed()...), "\n")
				return headline
			}).WithTimeout(timeouts.Current.Converge).Should(And(HavePrefix(want), HaveSuffix("; "+finding.Fault)),
				"%s: the failure's first line must name node %s and its agent's fault", c.step(s), node)
			AddReportEntry("headline: "+c.name, headline)
			topo.Reset(ctx)
		}
		Expect(taken).To(BeNumerically(">", 0), "no policy case this cluster supports denies in its first step")
	})
})
