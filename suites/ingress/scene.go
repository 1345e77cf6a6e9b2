package ingress

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/pki"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// anyClass stands for "the cluster's default class, else its first",
// resolved at run time when the classes were not known beforehand.
const anyClass = ""

// scene is one spec's view of one controller: the controller, the ways a
// request reaches it, the spec's namespace and its client pod.
type scene struct {
	cl      *kube.Client
	ctl     *ingress.Controller
	entries []ingress.Entry
	ns      string
	client  *corev1.Pod
	// deferred: deploy creates the pods without waiting for them, for
	// ready to wait for every scene's at once (a Disruptive proof sets up
	// every case before it breaks anything).
	deferred bool
	pending  []*corev1.Pod
	// links are the spec's Services still to point at kept backends
	// (once Ready), named those backends by name.
	links []link
	named map[string]*ingress.Backend
}

// newScene finds the controller of class; the spec is NotSupported when
// the cluster has no Ingress controller. Its namespace comes with enter.
func newScene(ctx context.Context, class string) *scene {
	GinkgoHelper()
	e2e.Requires(feature.Ingress)
	cl := e2e.Cluster
	if class == anyClass {
		class = resolveClass(ctx, cl)
	}
	ctl, err := ingress.Find(ctx, cl.Clientset, class, *serviceFlag)
	Expect(err).NotTo(HaveOccurred(), "finding the controller of IngressClass %s", class)
	entries := ctl.Entries(e2e.NodeIPs(ctx, cl))
	Expect(entries).NotTo(BeEmpty(), "%s: its Service has no LoadBalancer address, NodePort or ClusterIP to send requests to", ctl)
	return &scene{cl: cl, ctl: ctl, entries: entries}
}

// enter makes the spec's namespace, once its gates let it run.
func (s *scene) enter(ctx context.Context, base string) {
	GinkgoHelper()
	s.ns = e2e.Namespace(ctx, s.cl, base)
}

func resolveClass(ctx context.Context, cl *kube.Client) string {
	GinkgoHelper()
	list, err := cl.Clientset.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{})
	Expect(err).NotTo(HaveOccurred())
	Expect(list.Items).NotTo(BeEmpty(), "no IngressClass, though the feature was detected")
	for _, c := range list.Items {
		if c.Annotations[ingress.DefaultClassAnnotation] == "true" {
			return c.Name
		}
	}
	return list.Items[0].Name
}

// host is a host name of this spec alone: its namespace is unique to
// the run, the class and the spec, so parallel specs never share a host.
func (s *scene) host(label string) string { return label + "." + s.ns + ".example.net" }

// sharedBackends is how many backend pods a process keeps for the
// routes of its cases: the most one case needs. One more, catchAll, is
// kept for the routes that catch every host.
const (
	sharedBackends = 3
	catchAll       = sharedBackends
)

// backends gives each name a Service of the spec's namespace (port 80 →
// 8080) whose one endpoint is a backend pod this process keeps, one pod
// per name, and returns the backends by name. The pods are the
// process's, kept from spec to spec with its client: each pod started
// and removed costs about 3 s of a small machine's CPU, and what a case
// holds a controller to is its routing to a Service's endpoints, not
// where they come from. No two specs of a process run at once, and each
// spec's hosts are its own, so no route of another spec reaches them.
func (s *scene) backends(ctx context.Context, names ...string) map[string]*ingress.Backend {
	GinkgoHelper()
	Expect(len(names)).To(BeNumerically("<=", sharedBackends), "a case takes at most %d kept backends", sharedBackends)
	out := map[string]*ingress.Backend{}
	for i, n := range names {
		out[n] = s.keptBackend(ctx, n, i)
	}
	return out
}

// catchAllBackend is backends for a case whose route catches every host
// (spec.defaultBackend): its Service points at the kept pod no other case
// names, so that while that route lasts (or lingers in the controller
// after the spec) no other case's "not this backend" sees it.
func (s *scene) catchAllBackend(ctx context.Context, name string) *ingress.Backend {
	GinkgoHelper()
	return s.keptBackend(ctx, name, catchAll)
}

// keptBackend makes Service name of the spec and points it at kept
// backend i.
func (s *scene) keptBackend(ctx context.Context, name string, i int) *ingress.Backend {
	GinkgoHelper()
	s.deploy(ctx)
	svc := e2e.Create(ctx, s.cl, fixtures.AgentService(name, s.ns, "", fixtures.Selectorless()))
	s.links = append(s.links, link{svc: svc, backend: i})
	if !s.deferred {
		s.link(ctx)
	}
	pod := kept.backend(i)
	b := &ingress.Backend{Namespace: pod.Namespace, Pod: pod.Name, Service: name}
	if s.named == nil {
		s.named = map[string]*ingress.Backend{}
	}
	s.named[name] = b
	return b
}

// link is a Service of the spec and the kept backend it is to point at.
type link struct {
	svc     *corev1.Service
	backend int
}

// link makes the EndpointSlices of the Services backends made, once the
// kept backends are Ready (their IPs known).
func (s *scene) link(ctx context.Context) {
	GinkgoHelper()
	for _, l := range s.links {
		e2e.Create(ctx, s.cl, fixtures.EndpointsOn(l.svc, kept.backend(l.backend)))
	}
	s.links = nil
}

// backend is the backend of the spec named name by backends.
func (s *scene) backend(name string) *ingress.Backend {
	GinkgoHelper()
	b, ok := s.named[name]
	Expect(ok).To(BeTrue(), "no backend %s in this spec", name)
	return b
}

// clientOnly deploys the client pod if need be, and the spec's own
// backends.
func (s *scene) clientOnly(ctx context.Context, others ...*corev1.Pod) {
	GinkgoHelper()
	s.deploy(ctx, others...)
}

// keptPods are this Ginkgo process's client pod and backend pods, in a
// namespace of their own kept from spec to spec (removed when the
// process has no spec left, or by the run's cleanup). A set with a pod no
// longer Ready is replaced.
type keptPods struct {
	// pods: the client, then the backends (sharedBackends of them, then
	// the catch-all).
	pods []*corev1.Pod
	// seenIn is the start of the spec that created the set or last found
	// it Ready: in that spec it is not looked at again (its deferred
	// scenes may still be starting it).
	seenIn time.Time
}

func (k *keptPods) client() *corev1.Pod       { return k.pods[0] }
func (k *keptPods) backend(i int) *corev1.Pod { return k.pods[1+i] }
func (k *keptPods) namespace() string         { return k.pods[0].Namespace }
func (k *keptPods) take(p *corev1.Pod) {
	for i, q := range k.pods {
		if q.Namespace == p.Namespace && q.Name == p.Name {
			k.pods[i] = p
		}
	}
}

var kept *keptPods

var _ = e2e.OnProcessEnd(func(ctx context.Context) {
	if kept != nil {
		if err := e2e.Cluster.DeleteNamespace(ctx, kept.namespace()); err != nil {
			GinkgoWriter.Printf("the run's cleanup removes it instead: %v\n", err)
		}
	}
})

// stillReady tells whether every kept pod is Ready at the IP it was
// taken with, and takes them as they are now.
func (k *keptPods) stillReady(ctx context.Context, cl *kube.Client) bool {
	list, err := cl.Clientset.CoreV1().Pods(k.namespace()).List(ctx, metav1.ListOptions{})
	if err != nil {
		return false
	}
	live := map[string]*corev1.Pod{}
	for i := range list.Items {
		live[list.Items[i].Name] = &list.Items[i]
	}
	for _, p := range k.pods {
		l := live[p.Name]
		if l == nil || !kube.PodReady(l) || p.Status.PodIP != "" && l.Status.PodIP != p.Status.PodIP {
			return false
		}
	}
	for _, l := range live {
		k.take(l)
	}
	return true
}

// deploy creates the spec's pods and, when this process has none Ready,
// its kept pods, and waits for all of them (a deferred scene leaves the
// wait to ready).
func (s *scene) deploy(ctx context.Context, pods ...*corev1.Pod) {
	GinkgoHelper()
	spec := CurrentSpecReport().StartTime
	if kept != nil && !kept.seenIn.Equal(spec) {
		if kept.stillReady(ctx, s.cl) {
			kept.seenIn = spec
		} else {
			// Its namespace is left to the run's cleanup.
			kept = nil
		}
	}
	if kept == nil {
		ns := e2e.SuiteNamespace(ctx, s.cl, "ingress-kept")
		k := &keptPods{pods: []*corev1.Pod{agent.Pod("client", ns)}, seenIn: spec}
		for i := range sharedBackends {
			k.pods = append(k.pods, agent.Pod(fmt.Sprintf("backend-%d", i+1), ns, fixtures.HTTPBackend()))
		}
		k.pods = append(k.pods, agent.Pod("backend-catch-all", ns, fixtures.HTTPBackend()))
		for _, p := range k.pods {
			e2e.CreateKept(ctx, s.cl, p)
		}
		kept = k
		s.pending = append(s.pending, k.pods...)
	}
	e2e.CreatePods(ctx, s.cl, pods...)
	s.pending = append(s.pending, pods...)
	if !s.deferred {
		s.ready(ctx)
	}
}

// ready waits for the pods deploy created, takes the kept ones Ready
// (with their IPs), and points the spec's Services at them.
func (s *scene) ready(ctx context.Context) {
	GinkgoHelper()
	for _, p := range e2e.WaitReady(ctx, s.cl, s.pending...) {
		kept.take(p)
	}
	s.pending = nil
	s.client = kept.client()
	s.link(ctx)
}

// observe sends every route through every entry once — the runner's from
// this process, the in-cluster ones in one batch from the client pod —
// and returns what did not meet its route.
func (s *scene) observe(ctx context.Context, routes []ingress.Route, entries []ingress.Entry) []string {
	type ref struct{ route, entry int }
	var outside, inside []probe.Probe
	var outRefs, inRefs []ref
	var failures []string
	for i, r := range routes {
		for j, e := range entries {
			if r.TLS && e.HTTPS == "" {
				failures = append(failures, fmt.Sprintf("%s: the controller's Service has no HTTPS port", r.Describe(e)))
				continue
			}
			p := r.Probe(fmt.Sprintf("%d/%d", i, j), e, timeouts.Current.IngressAnswer)
			if e.InCluster {
				inside, inRefs = append(inside, p), append(inRefs, ref{i, j})
			} else {
				outside, outRefs = append(outside, p), append(outRefs, ref{i, j})
			}
		}
	}
	var wg sync.WaitGroup
	var outRes probe.BatchResult
	wg.Go(func() { outRes = probe.Run(ctx, probe.Batch{Probes: outside}) })
	var inRes []probe.Result
	var inErr error
	if len(inside) > 0 {
		inRes, inErr = e2e.Probe(ctx, s.cl, s.client, inside...)
	}
	wg.Wait()
	for k, res := range outRes.Results {
		if msg := routes[outRefs[k].route].Check(entries[outRefs[k].entry], res); msg != "" {
			failures = append(failures, msg)
		}
	}
	if inErr != nil {
		failures = append(failures, fmt.Sprintf("probing from client pod %s/%s: %v", s.client.Namespace, s.client.Name, inErr))
	}
	for k, res := range inRes {
		if msg := routes[inRefs[k].route].Check(entries[inRefs[k].entry], res); msg != "" {
			failures = append(failures, msg)
		}
	}
	return failures
}

// check is one observation of routes through every entry as a Gomega
// check whose failure names the controller, its pods and each request.
func (s *scene) check(ctx context.Context, routes ...ingress.Route) func(Gomega) {
	return s.checkThrough(ctx, s.entries, routes...)
}

func (s *scene) checkThrough(ctx context.Context, entries []ingress.Entry, routes ...ingress.Route) func(Gomega) {
	return func(g Gomega) {
		failures := s.observe(ctx, routes, entries)
		if len(failures) == 0 {
			return
		}
		g.Expect(false).To(BeTrue(), "%s does not route as the Ingress API requires (%d of %d requests; client pod %s on %s):\n  - %s",
			ingress.Diagnose(ctx, s.cl, s.ctl), len(failures), len(routes)*len(entries), s.client.Name, s.client.Spec.NodeName, strings.Join(failures, "\n  - "))
	}
}

// expectRoutes waits, within the named bound for an Ingress to take
// effect, until every route holds through every entry twice in a row.
func (s *scene) expectRoutes(ctx context.Context, routes ...ingress.Route) {
	GinkgoHelper()
	Eventually(ctx, s.check(ctx, routes...)).WithTimeout(timeouts.Current.IngressRoute).MustPassRepeatedly(2).Should(Succeed())
}

var (
	caOnce sync.Once
	runCA  *pki.CA
	caErr  error
)

// ca is this process's CA for the run: made once, its PEM handed to the
// probes that verify a served chain.
func ca() *pki.CA {
	GinkgoHelper()
	caOnce.Do(func() { runCA, caErr = pki.NewCA("netconform run " + e2e.RunID + " CA") })
	Expect(caErr).NotTo(HaveOccurred())
	return runCA
}
