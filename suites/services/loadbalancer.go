package services

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/loadbalancer"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// loadBalancer is a Service of type LoadBalancer and the address its
// implementation gave it, probed from the runner's host ("outside the
// cluster").
type loadBalancer struct {
	cl  *kube.Client
	svc *corev1.Service
	ip  string
}

// describe names, for a failure, who should have served the Service: the
// implementation's state (as its descriptor diagnoses it), what programs
// Service IPs on the nodes, and whether each endpoint answers.
func (lb loadBalancer) describe(ctx context.Context) string {
	impl := loadbalancer.Describe(ctx, lb.cl, lb.svc).String()
	if _, reason := e2e.Current.Features.Supports(feature.LoadBalancer); reason != "" {
		impl += "; detected at the start of the run: " + reason
	}
	return impl + "; " + e2e.DescribeServiceProxy(ctx, lb.cl) + "; " + e2e.DescribeEndpoints(ctx, lb.cl, nil, lb.svc)
}

// where names the Service and its address for failure messages.
func (lb loadBalancer) where(port int) string {
	return fmt.Sprintf("LoadBalancer Service %s/%s at %s from the runner's host", lb.svc.Namespace, lb.svc.Name, e2e.Addr(lb.ip, port))
}

// loadBalancerAddress waits for the address the implementation writes in
// svc's status.loadBalancer (see awaitAddress), NotSupported when no
// implementation runs.
func loadBalancerAddress(ctx context.Context, cl *kube.Client, svc *corev1.Service) loadBalancer {
	GinkgoHelper()
	lb, unsupported := awaitAddress(ctx, cl, svc)
	if unsupported != "" {
		e2e.NotSupported(unsupported)
	}
	return lb
}

// awaitAddress waits for the address the implementation writes in svc's
// status.loadBalancer. No address within the bound fails the spec, naming
// the implementation's state, unless no implementation runs (one is
// installed but its controller has no ready pod): then it returns why the
// feature is not supported.
func awaitAddress(ctx context.Context, cl *kube.Client, svc *corev1.Service) (lb loadBalancer, unsupported string) {
	GinkgoHelper()
	lb = loadBalancer{cl: cl, svc: svc}
	bound := timeouts.Current.LoadBalancer
	failure := e2e.Failure(func(g Gomega) {
		g.Eventually(ctx, func(g Gomega) {
			current, err := cl.Clientset.CoreV1().Services(svc.Namespace).Get(ctx, svc.Name, metav1.GetOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(current.Status.LoadBalancer.Ingress).NotTo(BeEmpty())
			lb.svc, lb.ip = current, current.Status.LoadBalancer.Ingress[0].IP
		}).WithTimeout(bound).Should(Succeed())
	})
	if failure == "" {
		Expect(netip.ParseAddr(lb.ip)).Error().NotTo(HaveOccurred(), "Service %s/%s: status.loadBalancer.ingress[0] has no IP: %+v", svc.Namespace, svc.Name, lb.svc.Status.LoadBalancer.Ingress)
		return lb, ""
	}
	msg := fmt.Sprintf("Service %s/%s of type LoadBalancer got no address in status.loadBalancer within %s: %s", svc.Namespace, svc.Name, bound, lb.describe(ctx))
	if impl := loadbalancer.Describe(ctx, cl, svc); impl.Installed && !impl.Assigning {
		return lb, "no LoadBalancer implementation runs: " + msg
	}
	Fail(msg)
	return lb, ""
}

// answers is the check that the Service answers the runner's host on its
// address, over TCP (and UDP when it has an echo-udp port), from one of
// the pods named backend-*.
func (lb loadBalancer) answers(ctx context.Context, backend string) func(Gomega) {
	return func(g Gomega) {
		probes := []probe.Probe{{ID: "TCP", Protocol: probe.TCP, Target: e2e.Addr(lb.ip, fixtures.ServiceTCPPort), TimeoutMs: timeouts.Ms(timeouts.Current.Attempt)}}
		if hasPort(lb.svc, agent.EchoUDPPortName) {
			probes = append(probes, probe.Probe{ID: "UDP", Protocol: probe.UDP, Target: e2e.Addr(lb.ip, fixtures.ServiceUDPPort), TimeoutMs: timeouts.Ms(timeouts.Current.Attempt)})
		}
		for _, r := range probe.Run(ctx, probe.Batch{Probes: probes}).Results {
			lb.expectConnected(ctx, g, r, "%s %s", lb.where(portOf(r)), r.ID)
			g.Expect(r.Echo.Pod).To(HavePrefix(backend), "%s %s was answered by %s, not by a pod of the Service", lb.where(portOf(r)), r.ID, r.Echo.Pod)
		}
	}
}

func portOf(r probe.Result) int {
	if r.ID == "UDP" {
		return fixtures.ServiceUDPPort
	}
	return fixtures.ServiceTCPPort
}

func hasPort(svc *corev1.Service, name string) bool {
	for _, p := range svc.Spec.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

// expectConnected fails g unless r connected; the failure says what was
// seen and who should have served the address.
func (lb loadBalancer) expectConnected(ctx context.Context, g Gomega, r probe.Result, format string, args ...any) {
	if r.Verdict != probe.Connected {
		g.Expect(r.Verdict).To(Equal(probe.Connected), fmt.Sprintf(format, args...)+fmt.Sprintf(": %s %s (%s)", r.Verdict, r.Error, lb.describe(ctx)))
	}
}

// answeredBy makes n new TCP connections from the runner's host to the
// address at once and returns the pods that answered, sorted. A connection
// that was accepted but whose echo did not come back within the attempt
// (Inconclusive: a busy backend, n connections at once) says nothing
// about spread and is not counted, as long as most connections answer;
// one that is refused or times out fails.
func (lb loadBalancer) answeredBy(ctx context.Context, g Gomega, n int) []string {
	probes := make([]probe.Probe, n)
	for i := range probes {
		probes[i] = probe.Probe{ID: fmt.Sprint(i), Protocol: probe.TCP, Target: e2e.Addr(lb.ip, fixtures.ServiceTCPPort), TimeoutMs: timeouts.Ms(timeouts.Current.Attempt)}
	}
	seen := map[string]bool{}
	var unanswered []string
	for _, r := range probe.Run(ctx, probe.Batch{Probes: probes}).Results {
		if r.Verdict == probe.Inconclusive {
			unanswered = append(unanswered, r.ID+": "+r.Error)
			continue
		}
		lb.expectConnected(ctx, g, r, "%s, connection %s", lb.where(fixtures.ServiceTCPPort), r.ID)
		seen[r.Echo.Pod] = true
	}
	g.Expect(len(unanswered)).To(BeNumerically("<=", n/2), "%s: %d of %d connections were accepted but never answered (%s)",
		lb.where(fixtures.ServiceTCPPort), len(unanswered), n, strings.Join(unanswered, "; "))
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// inPool checks, where the implementation can tell its pool (the pool
// netconform gave it on a cluster it made), that the address comes from it.
func (lb loadBalancer) inPool(ctx context.Context) {
	GinkgoHelper()
	impl, err := loadbalancer.Detect(ctx, lb.cl.Clientset)
	Expect(err).NotTo(HaveOccurred())
	if impl == nil || impl.Pool == nil {
		return
	}
	pool, ok, err := impl.Pool(ctx, lb.cl)
	Expect(err).NotTo(HaveOccurred())
	if ok {
		Expect(pool.Contains(netip.MustParseAddr(lb.ip))).To(BeTrue(), "Service %s/%s got %s, outside %s's pool %s", lb.svc.Namespace, lb.svc.Name, lb.ip, impl.Name, pool)
	}
}

var _ = Describe("A Service of type LoadBalancer", Label("services", e2e.Conformance, e2e.FeatureLoadBalancer), Ordered, ContinueOnFailure, func() {
	var (
		cl          *kube.Client
		ready       []*corev1.Pod
		lb          loadBalancer
		unsupported string
	)
	// Each spec reports a missing implementation itself: a skip in
	// BeforeAll would leave the others skipped with no reason.
	requires := func() {
		GinkgoHelper()
		e2e.Requires(feature.LoadBalancer)
		if unsupported != "" {
			e2e.NotSupported(unsupported)
		}
	}
	BeforeAll(func(ctx SpecContext) {
		if e2e.Missing(feature.LoadBalancer) != "" {
			return
		}
		cl = e2e.Cluster
		ns := e2e.Namespace(ctx, cl, "loadbalancer")
		svc := e2e.Create(ctx, cl, fixtures.AgentService("web", ns, "web", fixtures.OfType(corev1.ServiceTypeLoadBalancer), fixtures.WithUDPAndHTTP()))
		ready = e2e.DeployAll(ctx, cl, backendPods(ctx, ns, "web", 3)...)
		lb, unsupported = awaitAddress(ctx, cl, svc)
	})

	It("gets an address in status.loadBalancer, from the implementation's pool", e2e.ID("svc-lb-address"), func(ctx SpecContext) {
		requires()
		lb.inPool(ctx)
	})

	It("answers the runner's host on that address over TCP and UDP", e2e.ID("svc-lb-tcp-udp"), Label(e2e.FeatureUDP), func(ctx SpecContext) {
		requires()
		Eventually(ctx, lb.answers(ctx, "web-")).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
	})

	It("spreads connections from outside the cluster over every endpoint", e2e.ID("svc-lb-spread"), func(ctx SpecContext) {
		requires()
		Eventually(ctx, func(g Gomega) {
			g.Expect(lb.answeredBy(ctx, g, connections)).To(Equal(names(ready)),
				"over %d connections to %s the Service must reach every endpoint", connections, lb.where(fixtures.ServiceTCPPort))
		}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
	})
})

var _ = Describe("A Service of type LoadBalancer", Label("services", e2e.Conformance, e2e.FeatureLoadBalancer), func() {
	It("preserves the client source IP with externalTrafficPolicy Local", e2e.ID("svc-lb-local-client-ip"), func(ctx SpecContext) {
		e2e.Requires(feature.LoadBalancer)
		cl := e2e.Cluster
		nodes := e2e.SchedulableNodes(ctx, cl, 1)
		ns := e2e.Namespace(ctx, cl, "lb-local")
		svc := e2e.Create(ctx, cl, fixtures.AgentService("web", ns, "web",
			fixtures.OfType(corev1.ServiceTypeLoadBalancer), fixtures.WithLocalTrafficPolicy()))
		e2e.Deploy(ctx, cl, agent.Pod("web-0", ns, fixtures.InGroup("web"), agent.OnNode(nodes[0])))
		lb := loadBalancerAddress(ctx, cl, svc)
		source := runnerAddress(lb.ip)

		Eventually(ctx, func(g Gomega) {
			r := probe.One(ctx, probe.Probe{ID: "local", Protocol: probe.TCP, Target: e2e.Addr(lb.ip, fixtures.ServiceTCPPort), TimeoutMs: timeouts.Ms(timeouts.Current.Attempt)})
			lb.expectConnected(ctx, g, r, "%s", lb.where(fixtures.ServiceTCPPort))
			g.Expect(e2e.PeerIP(r)).To(Equal(source), "%s: the endpoint %s on %s saw %s, not the client %s: the source was NATed despite externalTrafficPolicy Local",
				lb.where(fixtures.ServiceTCPPort), r.Echo.Pod, r.Echo.Node, e2e.PeerIP(r), source)
		}).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
	})

	It("releases its address when deleted: the address stops answering and another Service can take it", e2e.ID("svc-lb-release"), func(ctx SpecContext) {
		e2e.Requires(feature.LoadBalancer)
		cl := e2e.Cluster
		ns := e2e.Namespace(ctx, cl, "lb-release")
		first := e2e.Create(ctx, cl, fixtures.AgentService("first", ns, "web", fixtures.OfType(corev1.ServiceTypeLoadBalancer)))
		e2e.DeployAll(ctx, cl, backendPods(ctx, ns, "web", 1)...)
		lb := loadBalancerAddress(ctx, cl, first)
		Eventually(ctx, lb.answers(ctx, "web-")).WithTimeout(timeouts.Current.Probe).Should(Succeed())

		By("deleting Service first, which holds " + lb.ip)
		Expect(cl.Delete(ctx, first)).To(Succeed())
		Eventually(ctx, func(g Gomega) {
			_, err := cl.Clientset.CoreV1().Services(ns).Get(ctx, first.Name, metav1.GetOptions{})
			g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "Service %s/%s is still there: %v", ns, first.Name, err)
			r := probe.One(ctx, probe.Probe{ID: "released", Protocol: probe.TCP, Target: e2e.Addr(lb.ip, fixtures.ServiceTCPPort), TimeoutMs: timeouts.Ms(timeouts.Current.Attempt)})
			g.Expect(r.Verdict).NotTo(Equal(probe.Connected), "%s still answers (from %v) after the Service was deleted", lb.where(fixtures.ServiceTCPPort), r.Echo)
		}).WithTimeout(timeouts.Current.Probe).Should(Succeed())

		By("a new Service asks for " + lb.ip + " (spec.loadBalancerIP) and gets it")
		second := fixtures.AgentService("second", ns, "web", fixtures.OfType(corev1.ServiceTypeLoadBalancer))
		second.Spec.LoadBalancerIP = lb.ip
		taken := loadBalancerAddress(ctx, cl, e2e.Create(ctx, cl, second))
		Expect(taken.ip).To(Equal(lb.ip), "Service %s/%s asked for the released address %s and got %s: %s", ns, second.Name, lb.ip, taken.ip, taken.describe(ctx))
		Eventually(ctx, taken.answers(ctx, "web-")).WithTimeout(timeouts.Current.Probe).Should(Succeed())
	})
})

// flushNeighbour forgets the runner host's neighbour (ARP) entry for ip,
// so that its next connection asks the network who holds the address, as
// a client new to it does: a live connection keeps confirming the entry it
// has, and would reach the node behind it whether or not anyone still
// announces the address.
func flushNeighbour(ctx context.Context, ip string) {
	GinkgoHelper()
	out, err := exec.CommandContext(ctx, "ip", "neigh", "flush", "to", ip).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "ip neigh flush to %s on the runner's host: %s", ip, out)
}

// Each implementation whose descriptor declares a Break gets a spec that
// takes that part away and shows the LoadBalancer check then fails,
// naming it; the part is put back afterwards.
var _ = Describe("A Service of type LoadBalancer, broken on purpose,", Label("services", e2e.Disruptive, e2e.FeatureLoadBalancer), func() {
	for _, d := range loadbalancer.Descriptors() {
		brk, _ := d.BreakOf()
		if brk == nil {
			continue
		}
		It("is reported unreachable, naming "+brk.Names+", when "+brk.What, e2e.ID("svc-lb-broken", strings.ToLower(d.Name)), func(ctx SpecContext) {
			e2e.Requires(feature.LoadBalancer)
			cl := e2e.Cluster
			impl, err := loadbalancer.Detect(ctx, cl.Clientset)
			Expect(err).NotTo(HaveOccurred())
			if impl == nil || impl.Descriptor != d {
				e2e.NotSupported(fmt.Sprintf("the proof breaks %s, and the cluster's LoadBalancer implementation is another: %s", d.Name, loadbalancer.Describe(ctx, cl, nil)))
			}
			ns := e2e.Namespace(ctx, cl, "lb-disrupt")
			svc := e2e.Create(ctx, cl, fixtures.AgentService("web", ns, "web", fixtures.OfType(corev1.ServiceTypeLoadBalancer)))
			e2e.DeployAll(ctx, cl, backendPods(ctx, ns, "web", 1)...)
			lb := loadBalancerAddress(ctx, cl, svc)
			check := lb.answers(ctx, "web-")
			By("the check passes on the intact cluster")
			Eventually(ctx, check).WithTimeout(timeouts.Current.Probe).Should(Succeed())

			By("breaking " + d.Name + ": " + brk.What)
			repair, err := brk.Apply(ctx, cl)
			if repair != nil {
				DeferCleanup(restoreImplementation, repair, lb)
			}
			if errors.Is(err, loadbalancer.ErrNothingToBreak) {
				e2e.NotSupported(err.Error())
			}
			Expect(err).NotTo(HaveOccurred())

			By("the runner's host forgets who held " + lb.ip)
			flushNeighbour(ctx, lb.ip)
			names := []types.GomegaMatcher{ContainSubstring(lb.where(fixtures.ServiceTCPPort))}
			for _, e := range brk.Expect {
				names = append(names, ContainSubstring(e))
			}
			var failure string
			Eventually(ctx, func() string { failure = e2e.Failure(check); return failure }).WithTimeout(timeouts.Current.Probe).
				Should(And(names...), "the failure must point at %s", brk.Names)
			e2e.ExpectHeadline(failure, ContainSubstring(brk.Expect[0]))
			AddReportEntry("the conformance check's failure", failure)
		})
	}
})

// restoreImplementation puts back what the proof took away, which waits
// until the implementation serves as before (every Service it announced
// announced again: the cluster must be left as the spec found it), and
// until the Service answers on its address again.
func restoreImplementation(ctx SpecContext, repair loadbalancer.Repair, lb loadBalancer) {
	GinkgoHelper()
	Expect(repair(ctx)).To(Succeed(), "putting the LoadBalancer implementation back: the cluster needs it")
	// The spec left the host's entry for the address failed: start clean,
	// as a client that never tried during the outage would.
	flushNeighbour(ctx, lb.ip)
	Eventually(ctx, lb.answers(ctx, "web-")).WithTimeout(timeouts.Current.Rollout).Should(Succeed(), "%s after the repair", lb.where(fixtures.ServiceTCPPort))
}
