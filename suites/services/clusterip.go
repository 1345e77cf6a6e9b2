package services

import (
	"context"
	"fmt"
	"sort"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// connections is how many new connections a spread or affinity check makes:
// with 3 endpoints chosen at random, missing one in 60 tries has odds (2/3)^60.
const connections = 60

func backendPods(ctx context.Context, ns, group string, n int) []*corev1.Pod {
	GinkgoHelper()
	nodes := e2e.SchedulableNodes(ctx, e2e.Cluster, 1)
	var pods []*corev1.Pod
	for i := range n {
		pods = append(pods, agent.Pod(fmt.Sprintf("%s-%d", group, i), ns, fixtures.InGroup(group), agent.OnNode(nodes[i%len(nodes)])))
	}
	return pods
}

// backendsAndClient deploys n backends in group and a client pod at once,
// so that the spec pays one pod start-up, not two.
func backendsAndClient(ctx context.Context, ns, group string, n int) (ready []*corev1.Pod, client *corev1.Pod) {
	GinkgoHelper()
	pods := e2e.DeployAll(ctx, e2e.Cluster, append(backendPods(ctx, ns, group, n), agent.Pod("client", ns))...)
	return pods[:n], pods[n]
}

// serviceClient is a pod (nil: the runner) probing a Service, with what a
// failed check needs to name the likely cause.
type serviceClient struct {
	cl  *kube.Client
	pod *corev1.Pod
	svc *corev1.Service
}

// answeredBy runs p (an address of the Service) n times, each a new
// connection, and returns the set of pods that answered; it fails on any
// probe that did not connect.
func (c serviceClient) answeredBy(ctx context.Context, g Gomega, p probe.Probe, n int) []string {
	probes := make([]probe.Probe, n)
	for i := range probes {
		probes[i] = p
		probes[i].ID = fmt.Sprint(i)
	}
	res, err := e2e.Probe(ctx, c.cl, c.pod, probes...)
	g.Expect(err).NotTo(HaveOccurred())
	seen := map[string]bool{}
	for _, r := range res {
		c.expectConnected(ctx, g, r, "connection %s to %s: %s", r.ID, p.Target, r.Error)
		seen[r.Echo.Pod] = true
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// answers is the check that every target (an address of the Service) is
// answered, by a pod whose name starts with backend.
func (c serviceClient) answers(ctx context.Context, backend string, targets ...string) func(Gomega) {
	return func(g Gomega) {
		var probes []probe.Probe
		for _, t := range targets {
			probes = append(probes, probe.Probe{ID: t, Protocol: probe.TCP, Target: t})
		}
		res, err := e2e.Probe(ctx, c.cl, c.pod, probes...)
		g.Expect(err).NotTo(HaveOccurred())
		for _, r := range res {
			c.expectConnected(ctx, g, r, "%s from %s/%s: %s", r.ID, c.pod.Namespace, c.pod.Name, r.Error)
			g.Expect(r.Echo.Pod).To(HavePrefix(backend), "%s answered by another pod", r.ID)
		}
	}
}

// expectConnected fails g unless r, a probe of the Service, connected. The
// failure names the likely cause: what programs Service IPs on the nodes,
// and whether each endpoint answers the client directly (asked only on
// failure: it costs API calls and a probe batch).
func (c serviceClient) expectConnected(ctx context.Context, g Gomega, r probe.Result, format string, args ...any) {
	if r.Verdict != probe.Connected {
		g.Expect(r.Verdict).To(Equal(probe.Connected), "%s", e2e.ServiceFailure(ctx, c.cl, c.pod, c.svc, fmt.Sprintf(format, args...)))
	}
}

func names(pods []*corev1.Pod) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.Name
	}
	sort.Strings(out)
	return out
}

// The specs that only probe share one set of backends: three ready agents
// spread over the nodes, one that runs but never becomes ready, and a
// client, with one Service per behaviour under test over them. Deployed
// once, it costs one pod start-up instead of one per spec.
var _ = Describe("A Service", Label("services", e2e.Conformance), Ordered, ContinueOnFailure, func() {
	var (
		cl                      *kube.Client
		ns                      string
		ready                   []*corev1.Pod
		client                  *corev1.Pod
		web, affinity, nodePort *corev1.Service
	)
	BeforeAll(func(ctx SpecContext) {
		cl = e2e.Cluster
		ns = e2e.Namespace(ctx, cl, "services")
		web = e2e.Create(ctx, cl, fixtures.AgentService("web", ns, "web", fixtures.WithUDPAndHTTP()))
		affinity = e2e.Create(ctx, cl, fixtures.AgentService("web-affinity", ns, "web", fixtures.WithClientIPAffinity()))
		nodePort = e2e.Create(ctx, cl, fixtures.AgentService("web-nodeport", ns, "web",
			fixtures.OfType(corev1.ServiceTypeNodePort), fixtures.WithUDPAndHTTP()))
		e2e.CreatePods(ctx, cl, agent.Pod("web-unready", ns, fixtures.InGroup("web"), fixtures.NeverReady()))
		ready, client = backendsAndClient(ctx, ns, "web", 3)
		By("waiting until the unready pod runs, so it is an endpoint that is not ready")
		Eventually(ctx, func(g Gomega) {
			p, err := cl.Clientset.CoreV1().Pods(ns).Get(ctx, "web-unready", metav1.GetOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(p.Status.PodIP).NotTo(BeEmpty())
			g.Expect(p.Status.ContainerStatuses).To(ContainElement(HaveField("Started", HaveValue(BeTrue()))))
		}).WithTimeout(timeouts.Current.PodReady).Should(Succeed())
	})

	Context("of type ClusterIP", func() {
		It("is reachable by its IP and by its DNS names", e2e.ID("svc-clusterip-ip-and-names"), func(ctx SpecContext) {
			targets := []string{
				e2e.Addr(web.Spec.ClusterIP, fixtures.ServiceTCPPort),
				e2e.Addr("web", fixtures.ServiceTCPPort),
				e2e.Addr("web."+ns, fixtures.ServiceTCPPort),
				e2e.Addr("web."+ns+".svc.cluster.local", fixtures.ServiceTCPPort),
			}
			Eventually(ctx, serviceClient{cl, client, web}.answers(ctx, "web-", targets...)).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
		})

		It("spreads connections over every ready endpoint and never sends to an unready one", e2e.ID("svc-clusterip-spread-ready"), func(ctx SpecContext) {
			target := e2e.Addr(web.Spec.ClusterIP, fixtures.ServiceTCPPort)
			Eventually(ctx, func(g Gomega) {
				g.Expect(serviceClient{cl, client, web}.answeredBy(ctx, g, probe.Probe{Protocol: probe.TCP, Target: target}, connections)).To(Equal(names(ready)),
					"over %d connections the Service must reach exactly its ready endpoints", connections)
			}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
		})

		It("keeps a client on one endpoint with sessionAffinity ClientIP", e2e.ID("svc-clusterip-client-affinity"), func(ctx SpecContext) {
			target := e2e.Addr(affinity.Spec.ClusterIP, fixtures.ServiceTCPPort)
			Eventually(ctx, func(g Gomega) {
				g.Expect(serviceClient{cl, client, affinity}.answeredBy(ctx, g, probe.Probe{Protocol: probe.TCP, Target: target}, connections)).To(HaveLen(1),
					"with ClientIP affinity every connection from one client goes to one endpoint")
			}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
		})

		It("serves several ports, UDP among them", e2e.ID("svc-clusterip-multi-port"), Label(e2e.FeatureUDP), func(ctx SpecContext) {
			ip := web.Spec.ClusterIP
			Eventually(ctx, func(g Gomega) {
				res, err := e2e.Probe(ctx, cl, client,
					probe.Probe{ID: "tcp/80", Protocol: probe.TCP, Target: e2e.Addr(ip, fixtures.ServiceTCPPort)},
					probe.Probe{ID: "udp/81", Protocol: probe.UDP, Target: e2e.Addr(ip, fixtures.ServiceUDPPort)},
					probe.Probe{ID: "http/82", Protocol: probe.HTTP, Target: fmt.Sprintf("http://%s/multiport", e2e.Addr(ip, fixtures.ServiceHTTPPort))})
				g.Expect(err).NotTo(HaveOccurred())
				for _, r := range res {
					serviceClient{cl, client, web}.expectConnected(ctx, g, r, "%s: %s", r.ID, r.Error)
					g.Expect(r.Echo.Pod).To(HavePrefix("web-"))
				}
			}).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
		})
	})

	Context("of type NodePort", Label(e2e.FeatureNodePort), func() {
		It("answers on every node IP from outside the cluster", e2e.ID("svc-nodeport-every-node"), func(ctx SpecContext) {
			answersOnEveryNode(ctx, cl, nodePort)
		})
	})
})

// The longest of the suite (a rollout and two scalings): handed out
// before the short ones (SpecPriority), not last.
var _ = Describe("A Service", Label("services", e2e.Conformance), SpecPriority(1), func() {
	Context("of type ClusterIP", func() {
		It("keeps its IP and keeps answering while its pods are deleted, replaced and scaled", e2e.ID("svc-clusterip-stable"), func(ctx SpecContext) {
			cl := e2e.Cluster
			ns := e2e.Namespace(ctx, cl, "stable")
			e2e.Create(ctx, cl, fixtures.AgentDeployment("web", ns, 2))
			svc := e2e.Create(ctx, cl, fixtures.AgentService("web", ns, "web"))
			client := e2e.Deploy(ctx, cl, agent.Pod("client", ns))
			byName := e2e.Addr("web."+ns+".svc.cluster.local", fixtures.ServiceTCPPort)

			answersWith := func(want int) {
				GinkgoHelper()
				Eventually(ctx, func(g Gomega) {
					current, err := cl.Clientset.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{})
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(current.Spec.ClusterIP).To(Equal(svc.Spec.ClusterIP), "the ClusterIP changed")
					pods, err := cl.Clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: fixtures.GroupLabel + "=web"})
					g.Expect(err).NotTo(HaveOccurred())
					var readyPods []*corev1.Pod
					for i := range pods.Items {
						if kube.PodReady(&pods.Items[i]) && pods.Items[i].DeletionTimestamp == nil {
							readyPods = append(readyPods, &pods.Items[i])
						}
					}
					g.Expect(readyPods).To(HaveLen(want))
					g.Expect(serviceClient{cl, client, svc}.answeredBy(ctx, g, probe.Probe{Protocol: probe.TCP, Target: byName}, connections)).To(Equal(names(readyPods)))
				}).WithTimeout(timeouts.Current.PodReady).Should(Succeed())
			}

			answersWith(2)
			By("deleting one pod: the Deployment replaces it")
			pods, err := cl.Clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: fixtures.GroupLabel + "=web"})
			Expect(err).NotTo(HaveOccurred())
			Expect(cl.Clientset.CoreV1().Pods(ns).Delete(ctx, pods.Items[0].Name, metav1.DeleteOptions{})).To(Succeed())
			answersWith(2)
			By("scaling to 3, then to 1")
			for _, n := range []int32{3, 1} {
				scale, err := cl.Clientset.AppsV1().Deployments(ns).GetScale(ctx, "web", metav1.GetOptions{})
				Expect(err).NotTo(HaveOccurred())
				scale.Spec.Replicas = n
				_, err = cl.Clientset.AppsV1().Deployments(ns).UpdateScale(ctx, "web", scale, metav1.UpdateOptions{})
				Expect(err).NotTo(HaveOccurred())
				answersWith(int(n))
			}
		})
	})
})
