package ingress

import (
	"context"
	"fmt"
	"regexp"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/addon"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/timeouts"
)

// prepared is one conformance case set up for a Disruptive proof.
type prepared struct {
	c      ingressCase
	s      *scene
	routes []ingress.Route
	check  func(Gomega) // under the spec's context
}

// checkIn is the case's check under ctx: a repair is checked in a
// cleanup, after the spec's own context has ended.
func (p prepared) checkIn(ctx context.Context) func(Gomega) {
	return p.s.check(ctx, p.routes...)
}

// prepare sets up every case the controller is held to (gated and
// profiled ones left out) and waits until each one's routes hold. The
// cases' pods all start before any is waited for: one case after the
// other, 12 cases took about a minute here.
func prepare(ctx context.Context, class string, only ...ingress.Behaviour) []prepared {
	GinkgoHelper()
	var out []prepared
	for _, c := range cases {
		if len(only) > 0 && !containsBehaviour(only, c.behaviour) {
			continue
		}
		s := newScene(ctx, class)
		if c.gate != nil && c.gate(s) != "" || ingress.ProfileFor(s.ctl).Missing(c.behaviour) != "" {
			continue
		}
		s.enter(ctx, "proof")
		s.deferred = true
		out = append(out, prepared{c: c, s: s, routes: c.setup(ctx, s)})
	}
	for i, p := range out {
		p.s.ready(ctx)
		out[i].check = p.s.check(ctx, p.routes...)
	}
	for _, p := range out {
		By("before: " + string(p.c.behaviour) + " holds")
		Eventually(ctx, p.check).WithTimeout(timeouts.Current.IngressRoute).Should(Succeed())
	}
	return out
}

// observeFailures observes, side by side, every case whose failure is
// still "" and records what its check says.
func observeFailures(ps []prepared, failures []string) {
	var wg sync.WaitGroup
	for i, p := range ps {
		if failures[i] == "" {
			wg.Go(func() {
				defer GinkgoRecover()
				failures[i] = e2e.Failure(p.check)
			})
		}
	}
	wg.Wait()
}

func containsBehaviour(bs []ingress.Behaviour, b ingress.Behaviour) bool {
	for _, x := range bs {
		if x == b {
			return true
		}
	}
	return false
}

// deployment returns the controller's Deployment and a way to update it,
// retried on conflicts, under the caller's context (a repair runs in a
// cleanup, after the spec's own context has ended).
func deployment(ctx context.Context, s *scene) (*appsv1.Deployment, func(context.Context, func(*appsv1.Deployment))) {
	GinkgoHelper()
	name, err := s.ctl.Deployment(ctx, s.cl.Clientset)
	Expect(err).NotTo(HaveOccurred())
	deps := s.cl.Clientset.AppsV1().Deployments(s.ctl.Namespace)
	d, err := deps.Get(ctx, name, metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	update := func(ctx context.Context, change func(*appsv1.Deployment)) {
		GinkgoHelper()
		Eventually(ctx, func() error {
			d, err := deps.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			change(d)
			_, err = deps.Update(ctx, d, metav1.UpdateOptions{})
			return err
		}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
	}
	return d, update
}

func describeDisruptive(class string) {
	// They break one controller, which only its own class's specs rely
	// on: Confined, beside the proofs of other scopes, one after the other
	// on one process (Ordered). The longest Confined proofs (25-45 s a
	// class here): they start first, so that the Confined ones end
	// soonest.
	Describe("Ingress served by "+classText(class)+", broken on purpose,", Label("ingress", e2e.FeatureIngress, e2e.Disruptive), e2e.Confined("ingress-"+class), SpecPriority(3), Ordered, ContinueOnFailure, func() {
		It("fails every conformance check, naming the controller and its pods, when the controller is scaled to 0", e2e.ID("ingress", classID(class), "broken-controller-zero"), func(ctx SpecContext) {
			all := prepare(ctx, class)
			Expect(all).NotTo(BeEmpty())
			ctl := all[0].s.ctl
			d, update := deployment(ctx, all[0].s)
			replicas := *d.Spec.Replicas
			By(fmt.Sprintf("scaling Deployment %s/%s from %d to 0", d.Namespace, d.Name, replicas))
			update(ctx, func(d *appsv1.Deployment) { d.Spec.Replicas = new(int32) })
			DeferCleanup(func(ctx SpecContext) {
				update(ctx, func(d *appsv1.Deployment) { d.Spec.Replicas = &replicas })
				Expect(all[0].s.cl.WaitDeployment(ctx, d.Namespace, d.Name, timeouts.Current.Rollout)).To(Succeed())
				By("after the repair the checks pass again")
				for _, p := range all {
					Eventually(ctx, p.checkIn(ctx)).WithTimeout(timeouts.Current.IngressRoute).Should(Succeed())
				}
			})
			// Every case at once: with no controller pod left, MetalLB soon
			// stops announcing the address, and a request to it then times
			// out (IngressAnswer) instead of being refused. One case after
			// the other, the twelve took up to 56 s here.
			failures := make([]string, len(all))
			Eventually(ctx, func() []ingress.Behaviour {
				observeFailures(all, failures)
				var holding []ingress.Behaviour
				for i, p := range all {
					if failures[i] == "" {
						holding = append(holding, p.c.behaviour)
					}
				}
				return holding
			}).WithTimeout(timeouts.Current.IngressRoute).Should(BeEmpty(), "cases that still hold with the controller at 0 replicas")
			for i, p := range all {
				failure := failures[i]
				AddReportEntry(string(p.c.behaviour), failure)
				Expect(failure).To(ContainSubstring("IngressClass "+ctl.Class), "%s: the failure does not name the class", p.c.behaviour)
				for _, pod := range ctl.Pods {
					Expect(failure).To(ContainSubstring(pod.Name), "%s: the failure does not name controller pod %s", p.c.behaviour, pod.Name)
				}
				Expect(failure).To(ContainSubstring("now no controller pod runs"), "%s: the failure does not say the controller is gone", p.c.behaviour)
			}
		})

		// Only Traefik has a switch that breaks Prefix matching on purpose
		// (off by default in Traefik: /foo then also matches /foobar).
		if classController[class] != addon.Traefik.Controller {
			return
		}
		It("fails the Prefix check, naming /foobar, when Traefik's strict prefix matching is off", e2e.ID("ingress", classID(class), "broken-strict-prefix-off"), func(ctx SpecContext) {
			only := prepare(ctx, class, ingress.PrefixPaths)
			Expect(only).To(HaveLen(1))
			p := only[0]
			foo := p.s.backend("foo")
			strict, err := addon.TraefikStrictPrefix(ctx, p.s.cl)
			Expect(err).NotTo(HaveOccurred())
			Expect(strict).To(BeTrue(), "%s runs without %s=true: the Prefix spec passed only by chance", p.s.ctl, addon.TraefikStrictPrefixFlag)
			By("turning strict prefix matching off: " + addon.TraefikStrictPrefixFlag + "=false")
			Expect(addon.SetTraefikStrictPrefix(ctx, p.s.cl, false)).To(Succeed())
			DeferCleanup(func(ctx SpecContext) {
				Expect(addon.SetTraefikStrictPrefix(ctx, p.s.cl, true)).To(Succeed())
				By("after the repair the Prefix check passes again")
				Eventually(ctx, p.checkIn(ctx)).WithTimeout(timeouts.Current.IngressRoute).Should(Succeed())
			})
			// Until the restarted Traefik serves, every request is refused
			// (the Service has no ready endpoint; Cilium refuses at once):
			// wait for the failure of the new configuration, /foobar served.
			var failure string
			Eventually(ctx, func() string { failure = e2e.Failure(p.check); return failure }).
				WithTimeout(timeouts.Current.IngressRoute).Should(MatchRegexp(`/foobar Host \S+ from .*saw status 200, from backend `+regexp.QuoteMeta(foo.Namespace+"/"+foo.Pod)+` `),
				"the failure does not say /foobar reached %s", foo)
			AddReportEntry("failure", failure)
			Expect(failure).To(ContainSubstring("Prefix /foo must not match /foobar"))
		})
	})
}
