package services

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/probe"
)

// KubeProxyRestoreTimeout bounds the wait for kube-proxy to come back.
const KubeProxyRestoreTimeout = 3 * time.Minute

var _ = Describe("A ClusterIP Service, broken on purpose,", Label("services", e2e.Disruptive), Serial, func() {
	It("is reported as unreachable when kube-proxy is gone and its rules are flushed", func(ctx SpecContext) {
		cl := e2e.Cluster
		daemonSets := cl.Clientset.AppsV1().DaemonSets("kube-system")
		saved, err := daemonSets.Get(ctx, "kube-proxy", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			e2e.NotSupported("no kube-system/kube-proxy DaemonSet: Services are implemented by something else")
		}
		Expect(err).NotTo(HaveOccurred())

		ns := e2e.Namespace(ctx, cl, "proxy-down")
		backends(ctx, cl, ns, "web", 2)
		svc := e2e.CreateService(ctx, cl, fixtures.AgentService("web", ns, "web"))
		client := e2e.Deploy(ctx, cl, fixtures.AgentPod("client", ns))
		target := e2e.Addr(svc.Spec.ClusterIP, fixtures.ServiceTCPPort)
		check := func(g Gomega) {
			res, err := e2e.Probe(ctx, cl, client, probe.Probe{ID: "clusterIP", Protocol: probe.TCP, Target: target})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(res[0].Verdict).To(Equal(probe.Connected), "ClusterIP %s: %s %s", target, res[0].Verdict, res[0].Error)
		}
		Eventually(ctx, check).WithTimeout(e2e.ProbeTimeout).Should(Succeed())

		By("deleting the kube-proxy DaemonSet and flushing its Service rules on every node")
		Expect(daemonSets.Delete(ctx, "kube-proxy", metav1.DeleteOptions{})).To(Succeed())
		DeferCleanup(func(ctx SpecContext) {
			restored := saved.DeepCopy()
			restored.ObjectMeta = metav1.ObjectMeta{Name: saved.Name, Namespace: saved.Namespace, Labels: saved.Labels, Annotations: saved.Annotations}
			restored.Status = appsv1.DaemonSetStatus{}
			_, err := daemonSets.Create(ctx, restored, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred(), "restoring kube-proxy")
			Expect(cl.WaitDaemonSet(ctx, "kube-system", "kube-proxy", KubeProxyRestoreTimeout)).To(Succeed())
			Eventually(ctx, check).WithTimeout(e2e.ProbeTimeout).Should(Succeed(), "Services work again once kube-proxy is back")
		})
		Eventually(ctx, func(g Gomega) {
			pods, err := cl.Clientset.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=kube-proxy"})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(pods.Items).To(BeEmpty())
		}).WithTimeout(e2e.PodReadyTimeout).Should(Succeed())
		for node := range nodeIPs(ctx, cl) {
			e2e.OnNode(ctx, cl, node).Run(ctx, "iptables", "-t", "nat", "-F", "KUBE-SERVICES")
		}

		Eventually(ctx, func() string { return e2e.Failure(check) }).WithTimeout(e2e.ProbeTimeout).
			Should(Or(ContainSubstring(string(probe.TimedOut)), ContainSubstring(string(probe.Refused))))
	})
})
