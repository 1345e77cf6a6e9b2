package services

import (
	"context"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// program every Service again.

// flushKubeProxy removes the chains kube-proxy programs (iptables mode) or
// its table (nftables mode) from a node, as its own --cleanup would, and
// leaves every other chain (the CNI's, kubelet's) alone.
const flushKubeProxy = `set -e
for t in nat filter mangle; do
  for c in $(iptables-save -t "$t" | sed -n 's/^:\(KUBE-[A-Z0-9-]*\) .*/\1/p' |
      grep -E '^KUBE-(SERVICES|NODEPORTS|EXTERNAL-SERVICES|FORWARD|PROXY-|SVC-|SVL-|SEP-|EXT-|FW-|XLB-|POSTROUTING|MARK-MASQ)'); do
    iptables -t "$t" -F "$c"
  done
done
if nft list table ip kube-proxy >/dev/null 2>&1; then nft delete table ip kube-proxy; fi
echo "kube-proxy rules left: $(iptables-save | grep -c -- '-j KUBE-SVC-' || true)"`

// These specs break Service proxying on purpose and show the conformance
// check then fails, naming the cause; they repair the cluster afterwards.
var _ = Describe("Services, broken on purpose,", Label("services", e2e.Disruptive), func() {
	It("are reported unreachable, naming the missing kube-proxy, when kube-proxy is removed and its rules flushed", e2e.ID("svc-broken-kube-proxy"), func(ctx SpecContext) {
		cl := e2e.Cluster
		proxies := cl.Clientset.AppsV1().DaemonSets("kube-system")
		saved, err := proxies.Get(ctx, "kube-proxy", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			e2e.NotSupported("no kube-proxy DaemonSet to remove: Services are proxied by something else (" + e2e.Current.CNI.String() + ")")
		}
		Expect(err).NotTo(HaveOccurred())
		if by := cni.ServiceProxyOf(e2e.Current.CNI); by != "" {
			e2e.NotSupported("pods' Service traffic is load-balanced by " + by + ", not by kube-proxy: removing kube-proxy does not break it")
		}
		cidrs, err := e2e.ServiceCIDRs(ctx, cl)
		Expect(err).NotTo(HaveOccurred(), "the Service CIDRs must be blackholed before kube-proxy's rules go")

		ns := e2e.Namespace(ctx, cl, "disrupt")
		_, client := backendsAndClient(ctx, ns, "web", 2)
		svc := e2e.Create(ctx, cl, fixtures.AgentService("web", ns, "web"))
		checkWith := func(ctx context.Context) func(Gomega) {
			return serviceClient{cl, client, svc}.answers(ctx, "web-", e2e.Addr(svc.Spec.ClusterIP, fixtures.ServiceTCPPort))
		}
		check := checkWith(ctx)
		By("the check passes on the intact cluster")
		Eventually(ctx, check).WithTimeout(timeouts.Current.Probe).Should(Succeed())

		nodes, err := e2e.NodeNames(ctx, cl)
		Expect(err).NotTo(HaveOccurred())
		var shells []*e2e.NodeShell
		for _, node := range nodes {
			shells = append(shells, e2e.OnNode(ctx, cl, node))
		}
		// Without kube-proxy's DNAT, a packet to a ClusterIP follows the
		// node's default route out of the cluster's network: a blackhole
		// route keeps it in. kube-proxy's DNAT happens before routing, so
		// the route is harmless while kube-proxy works.
		By("blackholing the Service CIDRs " + strings.Join(cidrs, ", ") + " on every node")
		for _, shell := range shells {
			for _, cidr := range cidrs {
				shell.Run(ctx, "ip", "route", "add", "blackhole", cidr)
				DeferCleanup(func(ctx SpecContext) { shell.Run(ctx, "ip", "route", "del", "blackhole", cidr) })
			}
		}

		By("deleting the kube-proxy DaemonSet and its pods")
		Expect(proxies.Delete(ctx, "kube-proxy", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationForeground)})).To(Succeed())
		DeferCleanup(restoreKubeProxy, saved, checkWith)
		Eventually(ctx, func(g Gomega) {
			_, err := proxies.Get(ctx, "kube-proxy", metav1.GetOptions{})
			g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "kube-proxy DaemonSet still there: %v", err)
		}).WithTimeout(timeouts.Current.Rollout).Should(Succeed())

		By("flushing kube-proxy's rules on every node")
		for _, shell := range shells {
			GinkgoWriter.Printf("%s: %s", shell, shell.Run(ctx, "sh", "-c", flushKubeProxy))
		}

		var failure string
		Eventually(ctx, func() string { failure = e2e.Failure(check); return failure }).WithTimeout(timeouts.Current.Probe).
			Should(And(ContainSubstring("no kube-proxy DaemonSet"), ContainSubstring(svc.Spec.ClusterIP),
				ContainSubstring("answers client directly")), "the failure must point at the proxy, not at the endpoints")
		e2e.ExpectHeadline(failure, ContainSubstring("kube-proxy"))
		AddReportEntry("the conformance check's failure", failure)
	})
})

// restoreKubeProxy recreates the DaemonSet as it was and waits until its
// pods have programmed the Service of the check again.
func restoreKubeProxy(ctx SpecContext, saved *appsv1.DaemonSet, checkWith func(context.Context) func(Gomega)) {
	GinkgoHelper()
	recreateDaemonSet(ctx, e2e.Cluster, saved, "kube-proxy")
	Eventually(ctx, checkWith(ctx)).WithTimeout(timeouts.Current.Rollout).Should(Succeed(), "Services after kube-proxy's return")
}

// recreateDaemonSet creates a deleted DaemonSet again as it was saved
// and waits until its pods are ready: a Disruptive spec's repair.
func recreateDaemonSet(ctx context.Context, cl *kube.Client, saved *appsv1.DaemonSet, what string) {
	GinkgoHelper()
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: saved.Namespace, Name: saved.Name, Labels: saved.Labels, Annotations: saved.Annotations},
		Spec:       saved.Spec,
	}
	_, err := cl.Clientset.AppsV1().DaemonSets(ds.Namespace).Create(ctx, ds, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred(), "recreating %s: the cluster needs it back", what)
	Expect(cl.WaitDaemonSet(ctx, ds.Namespace, ds.Name, timeouts.Current.Rollout)).To(Succeed())
}

// hairpinOff turns hairpin mode off on every bridge port of the node that
// has it on, and prints those ports, so they can be turned on again.
const hairpinOff = `for f in /sys/class/net/*/brport/hairpin_mode; do
  [ -e "$f" ] && [ "$(cat "$f")" = 1 ] && echo 0 > "$f" && echo "$f"
done; true`

// Hairpin mode matters only to a pod that reaches itself through a
// Service, which no other Disruptive spec does: Confined, the shortest
// (5-10 s), so the last of them to start.
var _ = Describe("Services, broken on purpose,", Label("services", e2e.Disruptive), e2e.Confined("hairpin-mode"), SpecPriority(1), func() {
	It("are reported as not coming back to the pod that sent them when hairpin mode is off on its node", e2e.ID("svc-broken-hairpin-mode"), func(ctx SpecContext) {
		cl := e2e.Cluster
		ns := e2e.Namespace(ctx, cl, "hairpin-off")
		svc := e2e.Create(ctx, cl, fixtures.AgentService("self", ns, "self"))
		nodes := e2e.SchedulableNodes(ctx, cl, 1)
		pods := e2e.DeployAll(ctx, cl,
			agent.Pod("self", ns, fixtures.InGroup("self"), agent.OnNode(nodes[0])),
			agent.Pod("neighbour", ns, agent.OnNode(nodes[0])))
		self, neighbour := pods[0], pods[1]
		check := serviceClient{cl, self, svc}.hairpin(ctx, svc.Spec.ClusterIP, false)
		// Not hairpin: another pod on the same bridge through the same Service.
		unrelated := serviceClient{cl, neighbour, svc}.answers(ctx, "self", e2e.Addr(svc.Spec.ClusterIP, fixtures.ServiceTCPPort))
		By("the check passes on the intact cluster")
		Eventually(ctx, check).WithTimeout(timeouts.Current.Probe).Should(Succeed())

		shell := e2e.OnNode(ctx, cl, nodes[0])
		ports := strings.Fields(shell.Run(ctx, "sh", "-c", hairpinOff))
		By(fmt.Sprintf("hairpin mode off on %d bridge ports of %s", len(ports), nodes[0]))
		DeferCleanup(func(ctx SpecContext) {
			for _, p := range ports {
				// A port whose pod is gone meanwhile has nothing to restore.
				shell.Run(ctx, "sh", "-c", "[ ! -e "+p+" ] || echo 1 > "+p)
			}
		})
		if len(ports) == 0 {
			e2e.NotSupported("no bridge port of " + nodes[0] + " is in hairpin mode: the CNI does hairpin otherwise")
		}

		var failure string
		Eventually(ctx, func() string { failure = e2e.Failure(check); return failure }).WithTimeout(timeouts.Current.Probe).
			Should(And(ContainSubstring("pod self on "+nodes[0]+" → its own Service self"), ContainSubstring("TimedOut"),
				ContainSubstring("did not come back to the pod it left (hairpin)")), "the failure must name hairpin")
		e2e.ExpectHeadline(failure, ContainSubstring("hairpin"))
		Expect(e2e.Failure(unrelated)).To(BeEmpty(), "a neighbour on the same node still reaches the Service")
		AddReportEntry("the conformance check's failure", failure)
	})
})
