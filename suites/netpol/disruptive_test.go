package netpol

import (
	"encoding/json"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/timeouts"
)

// setKubeRouterFirewall rolls kube-router out with --run-firewall=on.
func setKubeRouterFirewall(ctx SpecContext, on bool) {
	GinkgoHelper()
	dss := e2e.Cluster.Clientset.AppsV1().DaemonSets("kube-system")
	ds, err := dss.Get(ctx, "kube-router", metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	args := slices.DeleteFunc(slices.Clone(ds.Spec.Template.Spec.Containers[0].Args), func(a string) bool { return strings.HasPrefix(a, "--run-firewall") })
	if on {
		args = append(args, "--run-firewall=true")
	} else {
		args = append(args, "--run-firewall=false")
	}
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []map[string]any{{"name": ds.Spec.Template.Spec.Containers[0].Name, "args": args}}}}}})
	Expect(err).NotTo(HaveOccurred())
	_, err = dss.Patch(ctx, "kube-router", types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	Expect(err).NotTo(HaveOccurred())
	Expect(e2e.Cluster.WaitDaemonSet(ctx, "kube-system", "kube-router", timeouts.Current.Rollout)).To(Succeed())
}

var _ = Describe("NetworkPolicy, broken on purpose,", Label("netpol", e2e.Disruptive, e2e.FeatureNetworkPolicy), Serial, func() {
	It("reports the violating cells of every policy case when kube-router's firewall is off but pods are still routed", func(ctx SpecContext) {
		if e2e.Current.CNI.Name != "kube-router" {
			Skip("this check switches kube-router's firewall off; the CNI is " + e2e.Current.CNI.Name)
		}
		// Only a kube-router that enforces policy can be shown to stop.
		e2e.Requires(cni.NetworkPolicy)
		topo := e2e.DeployTopology(ctx, e2e.Cluster, "netpol", e2e.WithPodOptions(fixtures.WithPolicyPorts()))
		topo.ExpectBaseline(ctx, portCases...)

		By("restarting kube-router with --run-firewall=false")
		setKubeRouterFirewall(ctx, false)
		DeferCleanup(func(ctx SpecContext) { setKubeRouterFirewall(ctx, true) })
		topo.ExpectBaseline(ctx, portCases...)

		for _, c := range policyCases {
			if slices.Contains(c.requires, cni.SCTP) {
				if missing := kernelWithoutSCTP(ctx, topo); missing != "" {
					By("not applying " + c.name + ": " + missing)
					continue
				}
			}
			By("applying: " + c.name)
			c.apply(ctx, topo)
			var violations string
			Eventually(ctx, func() string {
				violations = topo.Violations(ctx, c.probed()...)
				return violations
			}).WithTimeout(timeouts.Current.Converge).Should(ContainSubstring("cells differ"), "case %q: the matrix must differ from what its policies demand", c.name)
			AddReportEntry("violations: "+c.name, violations)
			topo.Reset(ctx)
		}
	})
})
