package dns

import (
	"context"
	"sort"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
)

// zone is the cluster domain; kubeadm's default.
const zone = "cluster.local"

// lookup is a DNS probe from client.
func lookup(name, qtype string) probe.Probe {
	return probe.Probe{ID: qtype + " " + name, Protocol: probe.DNS, Target: name, DNSType: qtype, TimeoutMs: 2000}
}

// expectAnswers resolves every probe from client until each answers with
// what check wants.
func expectAnswers(ctx context.Context, cl *kube.Client, client *corev1.Pod, check func(Gomega, probe.Result), probes ...probe.Probe) {
	GinkgoHelper()
	Eventually(ctx, func(g Gomega) {
		res, err := e2e.Probe(ctx, cl, client, probes...)
		g.Expect(err).NotTo(HaveOccurred())
		for _, r := range res {
			g.Expect(r.Verdict).To(Equal(probe.Connected), "%s: %s %s", r.ID, r.Verdict, r.Error)
			check(g, r)
		}
	}).WithTimeout(e2e.ProbeTimeout).MustPassRepeatedly(2).Should(Succeed())
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

var _ = Describe("Cluster DNS", Label("dns", e2e.Conformance, e2e.FeatureDNS), func() {
	var (
		cl     *kube.Client
		ns     string
		client *corev1.Pod
		web    *corev1.Service
		pods   []*corev1.Pod
	)
	BeforeEach(func(ctx SpecContext) {
		cl = e2e.Cluster
		ns = e2e.Namespace(ctx, cl, "dns")
		pods = e2e.DeployAll(ctx, cl,
			fixtures.AgentPod("web-0", ns, fixtures.InGroup("web")),
			fixtures.AgentPod("web-1", ns, fixtures.InGroup("web")),
			fixtures.AgentPod("client", ns))
		client, pods = pods[2], pods[:2]
		web = e2e.CreateService(ctx, cl, fixtures.AgentService("web", ns, "web"))
	})

	It("resolves a Service by its full name and, through the search path, by <svc>.<ns> and <svc>", func(ctx SpecContext) {
		expectAnswers(ctx, cl, client, resolvesTo(web.Spec.ClusterIP),
			lookup("web."+ns+".svc."+zone, "A"), lookup("web."+ns, "A"), lookup("web", "A"))
	})

	It("resolves a headless Service to the IPs of its ready pods", func(ctx SpecContext) {
		e2e.CreateService(ctx, cl, fixtures.AgentService("web-headless", ns, "web", fixtures.Headless()))
		expectAnswers(ctx, cl, client, resolvesTo(podIPs(pods)...), lookup("web-headless."+ns+".svc."+zone, "A"))
	})

	It("serves SRV records for named ports", func(ctx SpecContext) {
		name := "_echo-tcp._tcp.web." + ns + ".svc." + zone
		expectAnswers(ctx, cl, client, func(g Gomega, r probe.Result) {
			g.Expect(r.SRV).To(ConsistOf(And(
				HaveField("Port", BeEquivalentTo(fixtures.ServiceTCPPort)),
				HaveField("Target", Equal("web."+ns+".svc."+zone+".")))), "SRV %s", name)
		}, lookup(name, "SRV"))
	})

	It("gives a pod with hostname and subdomain an A record under its headless Service", func(ctx SpecContext) {
		e2e.CreateService(ctx, cl, fixtures.AgentService("sub", ns, "named", fixtures.Headless()))
		named := e2e.Deploy(ctx, cl, fixtures.AgentPod("named", ns, fixtures.InGroup("named"), fixtures.WithHostname("host-a", "sub")))
		expectAnswers(ctx, cl, client, resolvesTo(named.Status.PodIP), lookup("host-a.sub."+ns+".svc."+zone, "A"))
	})

	It("answers an ExternalName Service with a CNAME to its external name", func(ctx SpecContext) {
		target := "web." + ns + ".svc." + zone
		e2e.CreateService(ctx, cl, fixtures.ExternalNameService("alias", ns, target))
		expectAnswers(ctx, cl, client, func(g Gomega, r probe.Result) {
			g.Expect(r.CNAME).To(Equal(target+"."), "%s", r.ID)
		}, lookup("alias."+ns+".svc."+zone, "CNAME"))
		expectAnswers(ctx, cl, client, resolvesTo(web.Spec.ClusterIP), lookup("alias."+ns+".svc."+zone, "A"))
	})

	It("honours dnsPolicy None with a dnsConfig of the pod's own", func(ctx SpecContext) {
		dnsSvc, err := cl.Clientset.CoreV1().Services("kube-system").Get(ctx, "kube-dns", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred(), "the cluster DNS Service kube-system/kube-dns")
		custom := e2e.Deploy(ctx, cl, fixtures.AgentPod("custom-dns", ns, fixtures.WithDNSConfig(&corev1.PodDNSConfig{
			Nameservers: []string{dnsSvc.Spec.ClusterIP},
			// Only this search domain: "web" must resolve through it, "web.<ns>" must not be needed.
			Searches: []string{ns + ".svc." + zone},
			Options:  []corev1.PodDNSConfigOption{{Name: "ndots", Value: ptr.To("2")}},
		})))
		expectAnswers(ctx, cl, custom, resolvesTo(web.Spec.ClusterIP), lookup("web", "A"))
	})

	It("resolves Services from a hostNetwork pod with ClusterFirstWithHostNet", Label(e2e.FeatureHostNetwork), func(ctx SpecContext) {
		hostNS := e2e.NamespaceWithLevel(ctx, cl, "dns-hostnet", e2e.Privileged)
		host := e2e.Deploy(ctx, cl, fixtures.AgentPod("host", hostNS, fixtures.WithHostNetwork()))
		expectAnswers(ctx, cl, host, resolvesTo(web.Spec.ClusterIP), lookup("web."+ns+".svc."+zone, "A"), lookup("web."+ns, "A"))
	})
})
