package dns

import (
	"strconv"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/timeouts"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/probe"
)

var _ = Describe("Cluster DNS, broken on purpose,", Label("dns", e2e.Disruptive), Serial, func() {
	It("is reported as unanswered when CoreDNS is scaled to 0", func(ctx SpecContext) {
		cl := e2e.Cluster
		ns := e2e.Namespace(ctx, cl, "dns-down")
		client := e2e.Deploy(ctx, cl, agent.Pod("client", ns))
		name := "kubernetes.default.svc." + zone
		check := func(g Gomega) {
			res, err := e2e.Probe(ctx, cl, client, lookup(name, "A"))
			g.Expect(err).NotTo(HaveOccurred())
			expectResolved(ctx, g, cl, res[0])
		}
		Eventually(ctx, check).WithTimeout(timeouts.Current.Probe).Should(Succeed())

		deployments := cl.Clientset.AppsV1().Deployments("kube-system")
		scale, err := deployments.GetScale(ctx, "coredns", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred(), "the CoreDNS Deployment kube-system/coredns")
		replicas := scale.Spec.Replicas
		By("scaling CoreDNS from " + strconv.Itoa(int(replicas)) + " to 0")
		scale.Spec.Replicas = 0
		_, err = deployments.UpdateScale(ctx, "coredns", scale, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) {
			s, err := deployments.GetScale(ctx, "coredns", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			s.Spec.Replicas = replicas
			_, err = deployments.UpdateScale(ctx, "coredns", s, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(cl.WaitDeployment(ctx, "kube-system", "coredns", timeouts.Current.Rollout)).To(Succeed())
		})

		// No CoreDNS endpoint: kube-proxy rejects the queries, or they go unanswered.
		var failure string
		Eventually(ctx, func() string { failure = e2e.Failure(check); return failure }).WithTimeout(timeouts.Current.Probe).
			Should(And(Or(ContainSubstring(string(probe.TimedOut)), ContainSubstring(string(probe.Refused))),
				ContainSubstring("Service kube-dns has no endpoints")), "the failure must name the cause")
		AddReportEntry("the conformance check's failure", failure)
	})
})
