package ingress

import (
	"context"
	"fmt"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/timeouts"
)

const (
	prefix = networkingv1.PathTypePrefix
	exact  = networkingv1.PathTypeExact
)

// ingressCase is one conformance spec: setup creates its backends and
// Ingresses and returns the routes that must hold; then, when set, goes on
// (changes, Consistently). The Disruptive proofs reuse setup and routes.
type ingressCase struct {
	text      string
	behaviour ingress.Behaviour
	id        string // the spec's ID under its class (e2e.ID)
	// gate returns a reason when the controller cannot be held to the
	// case (NotSupported), "" otherwise.
	gate  func(s *scene) string
	setup func(ctx context.Context, s *scene) []ingress.Route
	then  func(ctx context.Context, s *scene, routes []ingress.Route)
	// first: the case waits on the controller's own period, and starts
	// before every other case (SpecPriority).
	first bool
}

func want(b *ingress.Backend, host, path, why string) ingress.Route {
	return ingress.Route{Host: host, Path: path, Want: b, Why: why}
}

func not(host, path, why string, bs ...*ingress.Backend) ingress.Route {
	return ingress.Route{Host: host, Path: path, Not: bs, Why: why}
}

var cases = []ingressCase{
	{
		behaviour: ingress.GuideExample,
		id:        "guide-example",
		text:      "routes the guide's example: my-app-ingress, host myapp.example.com, / Prefix to my-app-service:80 (targetPort 8080)",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			app := fixtures.GuideApp(s.ns)
			e2e.Create(ctx, s.cl, fixtures.GuideService(s.ns))
			s.clientOnly(ctx, app)
			e2e.Create(ctx, s.cl, fixtures.GuideIngress(s.ns, s.ctl.Class))
			b := &ingress.Backend{Namespace: s.ns, Pod: app.Name}
			return []ingress.Route{
				want(b, "myapp.example.com", "/", "/ Prefix matches every path"),
				want(b, "myapp.example.com", "/some/page", "/ Prefix matches every path"),
			}
		},
	},
	{
		behaviour: ingress.HostRouting,
		id:        "host-routing",
		text:      "routes each host to its own backend, an unknown host to none of them, and a wildcard host by exactly one label",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "one", "two", "wild")
			one, two, wild := s.host("one"), s.host("two"), "*.wild."+s.ns+".example.com"
			e2e.Create(ctx, s.cl, fixtures.Ingress("hosts", s.ns, s.ctl.Class,
				fixtures.WithRule(one, fixtures.Path("/", prefix, "one")),
				fixtures.WithRule(two, fixtures.Path("/", prefix, "two")),
				fixtures.WithRule(wild, fixtures.Path("/", prefix, "wild"))))
			return []ingress.Route{
				want(b["one"], one, "/", "host "+one),
				want(b["two"], two, "/", "host "+two),
				not(s.host("unknown"), "/", "no rule names this host: the default backend or 404", b["one"], b["two"], b["wild"]),
				want(b["wild"], "x.wild."+s.ns+".example.com", "/", wild+" matches one label"),
				not("y.x.wild."+s.ns+".example.com", "/", wild+" matches exactly one label, not two", b["wild"]),
				not("wild."+s.ns+".example.com", "/", wild+" does not match its base domain", b["wild"]),
			}
		},
	},
	{
		behaviour: ingress.PrefixPaths,
		id:        "prefix-paths",
		text:      "matches a Prefix path by path element: /foo matches /foo, /foo/ and /foo/bar, not /foobar",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "foo", "bar")
			h := s.host("prefix")
			e2e.Create(ctx, s.cl, fixtures.Ingress("prefix", s.ns, s.ctl.Class,
				fixtures.WithRule(h, fixtures.Path("/foo", prefix, "foo"), fixtures.Path("/bar/", prefix, "bar"))))
			return []ingress.Route{
				want(b["foo"], h, "/foo", "Prefix /foo matches /foo"),
				want(b["foo"], h, "/foo/", "Prefix /foo matches /foo/"),
				want(b["foo"], h, "/foo/bar", "Prefix /foo matches /foo/bar"),
				not(h, "/foobar", "Prefix /foo must not match /foobar: /foobar is not under /foo by path element", b["foo"]),
				want(b["bar"], h, "/bar", "Prefix /bar/ ignores its trailing slash and matches /bar"),
				want(b["bar"], h, "/bar/x", "Prefix /bar/ matches /bar/x"),
				not(h, "/barx", "Prefix /bar/ must not match /barx", b["bar"]),
			}
		},
	},
	{
		behaviour: ingress.ExactPaths,
		id:        "exact-paths",
		text:      "matches an Exact path only itself",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "exact")
			h := s.host("exact")
			e2e.Create(ctx, s.cl, fixtures.Ingress("exact", s.ns, s.ctl.Class,
				fixtures.WithRule(h, fixtures.Path("/exact", exact, "exact"))))
			return []ingress.Route{
				want(b["exact"], h, "/exact", "Exact /exact matches /exact"),
				not(h, "/exact/", "Exact /exact must not match /exact/", b["exact"]),
				not(h, "/exact/x", "Exact /exact must not match /exact/x", b["exact"]),
				not(h, "/exactly", "Exact /exact must not match /exactly", b["exact"]),
			}
		},
	},
	{
		behaviour: ingress.LongestMatch,
		id:        "longest-match",
		text:      "routes to the longest matching path",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "short", "long")
			h := s.host("longest")
			e2e.Create(ctx, s.cl, fixtures.Ingress("longest", s.ns, s.ctl.Class,
				fixtures.WithRule(h, fixtures.Path("/foo", prefix, "short"), fixtures.Path("/foo/bar", prefix, "long"))))
			return []ingress.Route{
				want(b["long"], h, "/foo/bar", "Prefix /foo/bar is longer than /foo"),
				want(b["long"], h, "/foo/bar/baz", "Prefix /foo/bar is longer than /foo"),
				want(b["short"], h, "/foo/barbaz", "/foo/barbaz is not under /foo/bar, only under /foo"),
				want(b["short"], h, "/foo/x", "only Prefix /foo matches /foo/x"),
			}
		},
	},
	{
		behaviour: ingress.ExactOverPrefix,
		id:        "exact-over-prefix",
		text:      "prefers an Exact path over a Prefix path of the same value",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "exact", "prefix")
			h := s.host("same")
			e2e.Create(ctx, s.cl, fixtures.Ingress("same", s.ns, s.ctl.Class,
				fixtures.WithRule(h, fixtures.Path("/same", prefix, "prefix"), fixtures.Path("/same", exact, "exact"))))
			return []ingress.Route{
				want(b["exact"], h, "/same", "Exact /same beats Prefix /same"),
				want(b["prefix"], h, "/same/x", "only Prefix /same matches /same/x"),
			}
		},
	},
	{
		behaviour: ingress.DefaultBackend,
		id:        "default-backend",
		text:      "sends requests no rule matches to spec.defaultBackend",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.catchAllBackend(ctx, "fallback")
			e2e.Create(ctx, s.cl, fixtures.Ingress("default", s.ns, s.ctl.Class, fixtures.WithDefaultBackend("fallback")))
			return []ingress.Route{
				want(b, s.host("anything"), "/any/path", "spec.defaultBackend takes what no rule matches"),
			}
		},
	},
	{
		behaviour: ingress.TLSTermination,
		id:        "tls-termination",
		text:      "terminates TLS with the certificate of the host's Secret, verifiable by SNI, and forwards plain HTTP",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "secure")
			h := s.host("secure")
			pair, err := ca().Issue(h)
			Expect(err).NotTo(HaveOccurred())
			e2e.Create(ctx, s.cl, fixtures.TLSSecret("secure-tls", s.ns, pair.CertPEM, pair.KeyPEM))
			e2e.Create(ctx, s.cl, fixtures.Ingress("secure", s.ns, s.ctl.Class,
				fixtures.WithTLS("secure-tls", h), fixtures.WithRule(h, fixtures.Path("/", prefix, "secure"))))
			// The backend serves plain HTTP only (its echo on 8080), so an
			// echo through HTTPS shows TLS was terminated at the controller.
			return []ingress.Route{{Host: h, Path: "/tls", TLS: true, CAPEM: string(ca().PEM), Want: b["secure"],
				Why: "the chain of Secret secure-tls verifies for " + h + " against the run's CA"}}
		},
	},
	{
		behaviour: ingress.ClassIsolation,
		id:        "class-isolation",
		text:      "never serves an Ingress of another class",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "mine", "theirs")
			e2e.Create(ctx, s.cl, fixtures.Ingress("mine", s.ns, s.ctl.Class,
				fixtures.WithRule(s.host("mine"), fixtures.Path("/", prefix, "mine"))))
			e2e.Create(ctx, s.cl, fixtures.Ingress("theirs", s.ns, otherClass(ctx, s),
				fixtures.WithRule(s.host("theirs"), fixtures.Path("/", prefix, "theirs"))))
			return []ingress.Route{want(b["mine"], s.host("mine"), "/", "this class's Ingress, served (so the other one had time)")}
		},
		then: func(ctx context.Context, s *scene, _ []ingress.Route) {
			other := s.backend("theirs")
			By("the Ingress of class " + otherClass(ctx, s) + " stays unserved")
			Consistently(ctx, s.check(ctx, not(s.host("theirs"), "/", "its Ingress has class "+otherClass(ctx, s), other))).
				WithTimeout(timeouts.Current.Stays).Should(Succeed())
		},
	},
	{
		behaviour: ingress.DefaultClass,
		id:        "default-class",
		text:      "serves Ingresses without a class when its class is the default",
		gate: func(s *scene) string {
			if !s.ctl.Default {
				return fmt.Sprintf("IngressClass %s is not marked default (annotation %s): Ingresses without a class are not its to serve",
					s.ctl.Class, ingress.DefaultClassAnnotation)
			}
			return ""
		},
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "classless")
			in := e2e.Create(ctx, s.cl, fixtures.Ingress("classless", s.ns, "",
				fixtures.WithRule(s.host("classless"), fixtures.Path("/", prefix, "classless"))))
			Expect(in.Spec.IngressClassName).To(HaveValue(Equal(s.ctl.Class)),
				"admission did not give the class-less Ingress the default class %s: it got %s", s.ctl.Class, classOf(in))
			return []ingress.Route{want(b["classless"], s.host("classless"), "/", "a class-less Ingress belongs to the default class")}
		},
	},
	{
		behaviour: ingress.StatusAddress,
		id:        "status-address",
		text:      "publishes in status.loadBalancer an address that answers",
		// A controller may publish Ingress status only periodically (one
		// of those netconform installs syncs it every 60 s).
		first: true,
		gate: func(s *scene) string {
			// A controller behind a LoadBalancer Service publishes that
			// Service's address; without one, it has none to publish.
			svc := s.ctl.Service
			if svc.Spec.Type == corev1.ServiceTypeLoadBalancer && len(svc.Status.LoadBalancer.Ingress) == 0 {
				why := e2e.Missing(feature.LoadBalancer)
				if why == "" {
					why = "a LoadBalancer implementation runs but has given no address"
				}
				return fmt.Sprintf("%s publishes the address of its Service %s/%s of type LoadBalancer, which has none: %s", s.ctl, svc.Namespace, svc.Name, why)
			}
			return ""
		},
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "status")
			e2e.Create(ctx, s.cl, fixtures.Ingress("status", s.ns, s.ctl.Class,
				fixtures.WithRule(s.host("status"), fixtures.Path("/", prefix, "status"))))
			return []ingress.Route{want(b["status"], s.host("status"), "/", "routed")}
		},
		then: func(ctx context.Context, s *scene, routes []ingress.Route) {
			var addr string
			Eventually(ctx, func(g Gomega) {
				in, err := s.cl.Clientset.NetworkingV1().Ingresses(s.ns).Get(ctx, "status", metav1.GetOptions{})
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(in.Status.LoadBalancer.Ingress).NotTo(BeEmpty(), "%s: Ingress %s/status has no status.loadBalancer address", s.ctl, s.ns)
				addr = in.Status.LoadBalancer.Ingress[0].IP
				if addr == "" {
					addr = in.Status.LoadBalancer.Ingress[0].Hostname
				}
			}).WithTimeout(timeouts.Current.IngressStatus).Should(Succeed())
			entries := s.ctl.EntriesAt(addr, e2e.NodeIPs(ctx, s.cl))
			Expect(entries).NotTo(BeEmpty(), "%s: status address %s is none of its Service's (LoadBalancer, ClusterIP) nor a node IP", s.ctl, addr)
			By(fmt.Sprintf("the status address %s answers", addr))
			Eventually(ctx, s.checkThrough(ctx, entries, routes...)).WithTimeout(timeouts.Current.IngressRoute).Should(Succeed())
		},
	},
	{
		behaviour: ingress.Updates,
		id:        "updates",
		text:      "applies changes within the bound: a switched backend, a removed rule, a deleted Ingress",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "old", "new", "gone")
			h := s.host("changes")
			e2e.Create(ctx, s.cl, fixtures.Ingress("changes", s.ns, s.ctl.Class,
				fixtures.WithRule(h, fixtures.Path("/switch", prefix, "old"), fixtures.Path("/remove", prefix, "gone"))))
			return []ingress.Route{
				want(b["old"], h, "/switch", "before the change"),
				want(b["gone"], h, "/remove", "before the change"),
			}
		},
		then: func(ctx context.Context, s *scene, _ []ingress.Route) {
			h := s.host("changes")
			ingresses := s.cl.Clientset.NetworkingV1().Ingresses(s.ns)
			update := func(change func(*networkingv1.Ingress)) {
				GinkgoHelper()
				Eventually(ctx, func() error {
					in, err := ingresses.Get(ctx, "changes", metav1.GetOptions{})
					if err != nil {
						return err
					}
					change(in)
					_, err = ingresses.Update(ctx, in, metav1.UpdateOptions{})
					return err
				}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
			}
			newB := s.backend("new")
			By("switching /switch to Service new")
			update(func(in *networkingv1.Ingress) {
				in.Spec.Rules[0].HTTP.Paths[0].Backend = fixtures.ServiceBackend("new")
			})
			s.expectRoutes(ctx, want(newB, h, "/switch", "the rule now points at Service new"))
			By("removing the /remove rule")
			update(func(in *networkingv1.Ingress) {
				in.Spec.Rules[0].HTTP.Paths = slices.DeleteFunc(in.Spec.Rules[0].HTTP.Paths, func(p networkingv1.HTTPIngressPath) bool { return p.Path == "/remove" })
			})
			s.expectRoutes(ctx, not(h, "/remove", "the /remove rule was removed", s.backend("gone")),
				want(newB, h, "/switch", "the other rule stays"))
			By("deleting the Ingress")
			Expect(ingresses.Delete(ctx, "changes", metav1.DeleteOptions{})).To(Succeed())
			s.expectRoutes(ctx, not(h, "/switch", "the Ingress was deleted", newB))
		},
	},
	{
		behaviour: ingress.NoEndpoints,
		id:        "no-endpoints",
		text:      "answers a 5xx without delay for a backend with no ready endpoints",
		setup: func(ctx context.Context, s *scene) []ingress.Route {
			b := s.backends(ctx, "ready")
			// Service "empty" selects a group no pod is in.
			e2e.Create(ctx, s.cl, fixtures.AgentService("empty", s.ns, "nobody"))
			h := s.host("empty")
			e2e.Create(ctx, s.cl, fixtures.Ingress("empty", s.ns, s.ctl.Class,
				fixtures.WithRule(h, fixtures.Path("/ready", prefix, "ready"), fixtures.Path("/empty", prefix, "empty"))))
			return []ingress.Route{want(b["ready"], h, "/ready", "the Ingress is loaded")}
		},
		then: func(ctx context.Context, s *scene, _ []ingress.Route) {
			s.expectRoutes(ctx, ingress.Route{Host: s.host("empty"), Path: "/empty", Want5xx: true,
				Why: fmt.Sprintf("Service empty has no endpoints: a 5xx within %v", timeouts.Current.IngressAnswer)})
		},
	},
}

// otherClass is a class that is not this spec's: another IngressClass of
// the cluster when there is one (served, but by another controller),
// else a name no IngressClass has.
func otherClass(ctx context.Context, s *scene) string {
	GinkgoHelper()
	classes, err := ingress.Classes(ctx, s.cl.Clientset)
	Expect(err).NotTo(HaveOccurred())
	for _, c := range classes {
		if c != s.ctl.Class {
			return c
		}
	}
	return "netconform-no-such-class"
}

// classText names a class in spec texts: one container per class makes
// the report list each controller's specs side by side.
func classText(class string) string {
	if class == anyClass {
		return "the cluster's default IngressClass"
	}
	return "IngressClass " + class
}

// classID names a class in spec IDs.
func classID(class string) string {
	if class == anyClass {
		return "cluster-default"
	}
	return class
}

// describeClass registers every case for class, each in a top-level
// container of its own: Ginkgo then hands the cases that go on after their
// routes hold (changes, a window) out first (SpecPriority), instead of in
// the order of their texts, so that no long case starts last. A case
// marked first goes before them: it waits, on one process, up to a
// period of the controller's while the others run.
func describeClass(class string) {
	for _, c := range cases {
		priority := 0
		if c.then != nil {
			priority = 1
		}
		if c.first {
			priority = 2
		}
		Describe("Ingress served by "+classText(class), Label("ingress", e2e.FeatureIngress), SpecPriority(priority), func() {
			It(c.text, e2e.ID("ingress", classID(class), c.id), Label(e2e.Conformance), func(ctx SpecContext) {
				s := newScene(ctx, class)
				if c.gate != nil {
					if why := c.gate(s); why != "" {
						e2e.NotSupported(why)
					}
				}
				if why := ingress.ProfileFor(s.ctl).Missing(c.behaviour); why != "" {
					e2e.NotSupported(why)
				}
				s.enter(ctx, "ing")
				routes := c.setup(ctx, s)
				s.expectRoutes(ctx, routes...)
				if c.then != nil {
					c.then(ctx, s, routes)
				}
			})
		})
	}
	describeDisruptive(class)
}

// classOf says which class admission gave an Ingress: a name, or none.
func classOf(in *networkingv1.Ingress) string {
	if in.Spec.IngressClassName == nil {
		return "no class (no IngressClass is marked default)"
	}
	return "class " + *in.Spec.IngressClassName
}
