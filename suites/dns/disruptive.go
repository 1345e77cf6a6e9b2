package dns

import (
	"fmt"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// Both break CoreDNS only, which no other Disruptive spec relies on:
// Confined, they may run beside the proofs of other scopes, one after the
// other on one process (Ordered) rather than one waiting for the other's
// lock; after the Ingress proofs, before hairpin's (20-35 s on a 2-core VM).
var _ = Describe("Cluster DNS, broken on purpose,", Label("dns", e2e.Disruptive), e2e.Confined("coredns"), SpecPriority(2), Ordered, ContinueOnFailure, func() {
	It("is reported as unanswered when CoreDNS is scaled to 0", e2e.ID("dns-broken-coredns-zero"), func(ctx SpecContext) {
		cl := e2e.Cluster
		ns := e2e.Namespace(ctx, cl, "dns-down")
		client := e2e.Deploy(ctx, cl, agent.Pod("client", ns))
		name := "kubernetes.default.svc." + zone
		check := func(g Gomega) {
			res, err := e2e.Probe(ctx, cl, client, lookup(name, "A"))
			g.Expect(err).NotTo(HaveOccurred())
			expectResolved(ctx, g, cl, client, res[0])
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
		e2e.ExpectHeadline(failure, ContainSubstring("Service kube-dns has no endpoints"))
		AddReportEntry("the conformance check's failure", failure)
	})

	It("names the one CoreDNS replica that no longer answers, while the others do", e2e.ID("dns-broken-one-replica"), func(ctx SpecContext) {
		cl := e2e.Cluster
		replicas, err := cl.Clientset.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=kube-dns"})
		Expect(err).NotTo(HaveOccurred())
		var ready []corev1.Pod
		for _, p := range replicas.Items {
			if kube.PodReady(&p) {
				ready = append(ready, p)
			}
		}
		if len(ready) < 2 {
			e2e.NotSupported(fmt.Sprintf("needs 2 ready CoreDNS replicas to break one, the cluster has %d", len(ready)))
		}
		victim := ready[0]
		// The client on another node than the victim: its queries then
		// reach the victim through the victim's node like anyone's.
		var clientNode string
		for _, n := range e2e.SchedulableNodes(ctx, cl, 1) {
			if n != victim.Spec.NodeName {
				clientNode = n
			}
		}
		if clientNode == "" {
			e2e.NotSupported("needs a schedulable node without the CoreDNS replica " + victim.Name)
		}
		ns := e2e.Namespace(ctx, cl, "dns-replica")
		client := e2e.Deploy(ctx, cl, agent.Pod("client", ns, agent.OnNode(clientNode)))
		check := expectEveryReplica(ctx, cl, client)
		By("the check passes on the intact cluster")
		Eventually(ctx, check).WithTimeout(timeouts.Current.Probe).Should(Succeed())

		// In the replica's own network namespace: every data path delivers
		// the queries there (an eBPF one passes the node's netfilter by).
		shell := e2e.OnNode(ctx, cl, victim.Spec.NodeName)
		By(fmt.Sprintf("dropping DNS queries in %s (%s) on %s", victim.Name, victim.Status.PodIP, victim.Spec.NodeName))
		for _, proto := range []string{"udp", "tcp"} {
			rule := []string{"INPUT", "-p", proto, "--dport", "53", "-j", "DROP"}
			shell.InPod(ctx, victim.Namespace, victim.Name, append([]string{"iptables", "-I"}, rule...)...)
			DeferCleanup(func(ctx SpecContext) {
				shell.InPod(ctx, victim.Namespace, victim.Name, append([]string{"iptables", "-D"}, rule...)...)
			})
		}

		var failure string
		Eventually(ctx, func() string { failure = e2e.Failure(check); return failure }).WithTimeout(timeouts.Current.Probe).
			Should(And(ContainSubstring(fmt.Sprintf("1 of %d DNS replicas are broken (%s:53)", len(ready), victim.Status.PodIP)),
				ContainSubstring(fmt.Sprintf("%s:53 (%s, ready, node %s) does not answer: TimedOut", victim.Status.PodIP, victim.Name, victim.Spec.NodeName)),
				ContainSubstring(fmt.Sprintf("%s:53 (%s, ready, node %s) answers for", ready[1].Status.PodIP, ready[1].Name, ready[1].Spec.NodeName))),
				"the failure must name the broken replica and the working one")
		e2e.ExpectHeadline(failure, ContainSubstring(fmt.Sprintf("1 of %d DNS replicas are broken", len(ready))))
		AddReportEntry("the conformance check's failure", failure)
	})
})
