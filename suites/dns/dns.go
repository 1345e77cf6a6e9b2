package dns

import (
	"context"
	"fmt"
	"sort"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// zone is the cluster domain; kubeadm's default.
const zone = "cluster.local"

// lookup is a DNS probe from client.
func lookup(name, qtype string) probe.Probe {
	return probe.Probe{ID: qtype + " " + name, Protocol: probe.DNS, Target: name, DNSType: qtype, TimeoutMs: timeouts.Ms(timeouts.Current.DNSAttempt)}
}

// expectAnswers resolves every probe from client until each answers with
// what check wants.
func expectAnswers(ctx context.Context, cl *kube.Client, client *corev1.Pod, check func(Gomega, probe.Result), probes ...probe.Probe) {
	GinkgoHelper()
	Eventually(ctx, func(g Gomega) {
		res, err := e2e.Probe(ctx, cl, client, probes...)
		g.Expect(err).NotTo(HaveOccurred())
		for _, r := range res {
			expectResolved(ctx, g, cl, client, r)
			check(g, r)
		}
	}).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
}

// expectResolved fails g unless the lookup r from client was answered,
// saying why the cluster DNS failed (asked only on failure).
func expectResolved(ctx context.Context, g Gomega, cl *kube.Client, client *corev1.Pod, r probe.Result) {
	if r.Verdict != probe.Connected {
		what := fmt.Sprintf("%s from %s on %s: %s %s", r.ID, client.Name, client.Spec.NodeName, r.Verdict, r.Error)
		g.Expect(r.Verdict).To(Equal(probe.Connected), "%s", e2e.ClusterDNSFailure(ctx, cl, client, what))
	}
}

// expectEveryReplica passes once the cluster DNS Service and each of its
// endpoints, asked directly from client, answer for the cluster domain.
func expectEveryReplica(ctx context.Context, cl *kube.Client, client *corev1.Pod) func(Gomega) {
	return func(g Gomega) {
		ok, why := e2e.ClusterDNSAnswers(ctx, cl, client)
		g.Expect(ok).To(BeTrue(), "from %s on %s: %s", client.Name, client.Spec.NodeName, why)
	}
}

func resolvesTo(ips ...string) func(Gomega, probe.Result) {
	sort.Strings(ips)
	return func(g Gomega, r probe.Result) {
		got := append([]string(nil), r.Addrs...)
		sort.Strings(got)
		g.Expect(got).To(Equal(ips), "%s", r.ID)
	}
}

func podIPs(pods []*corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Status.PodIP)
	}
	return out
}

// The specs that only resolve share one namespace: two backends, a
// client, a pod with hostname and subdomain, and the Services those
// names come from, all deployed at once.
var _ = Describe("Cluster DNS", Label("dns", e2e.Conformance, e2e.FeatureDNS), Ordered, ContinueOnFailure, func() {
	var (
		cl     *kube.Client
		ns     string
		client *corev1.Pod
		named  *corev1.Pod
		web    *corev1.Service
		pods   []*corev1.Pod
	)
	BeforeAll(func(ctx SpecContext) {
		cl = e2e.Cluster
		ns = e2e.Namespace(ctx, cl, "dns")
		web = e2e.Create(ctx, cl, fixtures.AgentService("web", ns, "web"))
		e2e.Create(ctx, cl, fixtures.AgentService("web-headless", ns, "web", fixtures.Headless()))
		e2e.Create(ctx, cl, fixtures.AgentService("sub", ns, "named", fixtures.Headless()))
		e2e.Create(ctx, cl, fixtures.ExternalNameService("alias", ns, "web."+ns+".svc."+zone))
		deployed := e2e.DeployAll(ctx, cl,
			agent.Pod("web-0", ns, fixtures.InGroup("web")),
			agent.Pod("web-1", ns, fixtures.InGroup("web")),
			agent.Pod("named", ns, fixtures.InGroup("named"), agent.WithHostname("host-a", "sub")),
			agent.Pod("client", ns))
		pods, named, client = deployed[:2], deployed[2], deployed[3]
	})

	It("resolves a Service by its full name and, through the search path, by <svc>.<ns> and <svc>", e2e.ID("dns-svc-names"), func(ctx SpecContext) {
		expectAnswers(ctx, cl, client, resolvesTo(web.Spec.ClusterIP),
			lookup("web."+ns+".svc."+zone, "A"), lookup("web."+ns, "A"), lookup("web", "A"))
	})

	It("answers for the cluster domain the kubelet hands to pods from the Service and from every one of its endpoints", e2e.ID("dns-cluster-domain"), func(ctx SpecContext) {
		Eventually(ctx, expectEveryReplica(ctx, cl, client)).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
	})

	It("resolves a headless Service to the IPs of its ready pods", e2e.ID("dns-headless-pod-ips"), func(ctx SpecContext) {
		expectAnswers(ctx, cl, client, resolvesTo(podIPs(pods)...), lookup("web-headless."+ns+".svc."+zone, "A"))
	})

	It("serves SRV records for named ports", e2e.ID("dns-srv-named-ports"), func(ctx SpecContext) {
		name := "_echo-tcp._tcp.web." + ns + ".svc." + zone
		expectAnswers(ctx, cl, client, func(g Gomega, r probe.Result) {
			g.Expect(r.SRV).To(ConsistOf(And(
				HaveField("Port", BeEquivalentTo(fixtures.ServiceTCPPort)),
				HaveField("Target", Equal("web."+ns+".svc."+zone+".")))), "SRV %s", name)
		}, lookup(name, "SRV"))
	})

	It("gives a pod with hostname and subdomain an A record under its headless Service", e2e.ID("dns-pod-hostname-subdomain"), func(ctx SpecContext) {
		expectAnswers(ctx, cl, client, resolvesTo(named.Status.PodIP), lookup("host-a.sub."+ns+".svc."+zone, "A"))
	})

	It("answers an ExternalName Service with a CNAME to its external name", e2e.ID("dns-externalname-cname"), func(ctx SpecContext) {
		target := "web." + ns + ".svc." + zone
		expectAnswers(ctx, cl, client, func(g Gomega, r probe.Result) {
			g.Expect(r.CNAME).To(Equal(target+"."), "%s", r.ID)
		}, lookup("alias."+ns+".svc."+zone, "CNAME"))
		expectAnswers(ctx, cl, client, resolvesTo(web.Spec.ClusterIP), lookup("alias."+ns+".svc."+zone, "A"))
	})
})

// These need a pod of their own and resolve Services every cluster has,
// so they run in parallel with the ones above.
var _ = Describe("Cluster DNS", Label("dns", e2e.Conformance, e2e.FeatureDNS), func() {

	It("honours dnsPolicy None with a dnsConfig of the pod's own", e2e.ID("dns-policy-none-config"), func(ctx SpecContext) {
		cl := e2e.Cluster
		dnsSvc := clusterService(ctx, cl, "kube-system", "kube-dns")
		ns := e2e.Namespace(ctx, cl, "dns-custom")
		custom := e2e.Deploy(ctx, cl, agent.Pod("custom-dns", ns, agent.WithDNSConfig(&corev1.PodDNSConfig{
			Nameservers: []string{dnsSvc.Spec.ClusterIP},
			// Only this search domain: "kube-dns" must resolve through it,
			// "kube-dns.kube-system" must not be needed, and the pod's
			// own namespace must not be searched.
			Searches: []string{"kube-system.svc." + zone},
			Options:  []corev1.PodDNSConfigOption{{Name: "ndots", Value: ptr.To("2")}},
		})))
		expectAnswers(ctx, cl, custom, resolvesTo(dnsSvc.Spec.ClusterIP), lookup("kube-dns", "A"))
	})

	It("resolves Services from a hostNetwork pod with ClusterFirstWithHostNet", e2e.ID("dns-hostnetwork-clusterfirst"), Label(e2e.FeatureHostNetwork), func(ctx SpecContext) {
		cl := e2e.Cluster
		api := clusterService(ctx, cl, "default", "kubernetes")
		hostNS := e2e.NamespaceWithLevel(ctx, cl, "dns-hostnet", e2e.Privileged)
		host := e2e.Deploy(ctx, cl, agent.Pod("host", hostNS, agent.WithHostNetwork()))
		expectAnswers(ctx, cl, host, resolvesTo(api.Spec.ClusterIP), lookup("kubernetes.default.svc."+zone, "A"), lookup("kubernetes.default", "A"))
	})
})

// clusterService is a Service every conformant cluster has.
func clusterService(ctx context.Context, cl *kube.Client, ns, name string) *corev1.Service {
	GinkgoHelper()
	svc, err := cl.Clientset.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred(), "the Service %s/%s", ns, name)
	return svc
}
