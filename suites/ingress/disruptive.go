package ingress

import (
	"context"
	"fmt"
	"regexp"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

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
// other, 12 cases took about a minute (docs/performance.md).
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
			s := all[0].s
			ctl := s.ctl
			stopped, err := ingress.Stop(ctx, s.cl, ctl)
			if stopped.Repair != nil {
				DeferCleanup(func(ctx SpecContext) {
					Expect(stopped.Repair(ctx)).To(Succeed())
					By("after the repair the checks pass again")
					for _, p := range all {
						Eventually(ctx, p.checkIn(ctx)).WithTimeout(timeouts.Current.IngressRoute).Should(Succeed())
					}
				})
			}
			Expect(err).NotTo(HaveOccurred())
			By(fmt.Sprintf("scaled Deployment %s/%s from %d to 0", stopped.Namespace, stopped.Deployment, stopped.Replicas))
			// Every case at once: with no controller pod left, the
			// LoadBalancer implementation soon stops announcing the
			// address, and a request to it then times out (IngressAnswer)
			// instead of being refused. One case after the other, the
			// twelve took up to 56 s.
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
				e2e.ExpectHeadline(failure, And(ContainSubstring("IngressClass "+ctl.Class), ContainSubstring("no controller pod runs")))
			}
		})

		// A controller whose descriptor declares a switch that loosens its
		// Prefix matching gets the spec in the switch's words; any other
		// gets it NotSupported, with the reason.
		text := "fails the Prefix check, naming /foobar, when the controller's Prefix matching is loosened on purpose"
		if brk, why := ingress.BreakOf(classController[class], ingress.PrefixPaths); why == "" {
			text = "fails the Prefix check, naming /foobar, when " + brk.What
		}
		It(text, e2e.ID("ingress", classID(class), "broken-strict-prefix-off"), func(ctx SpecContext) { prefixProof(ctx, class) })
	})
}

// prefixProof breaks Prefix matching by path element with the switch the
// class's controller declares, and shows the Prefix check then fails on
// /foobar; the repair puts the switch back.
func prefixProof(ctx SpecContext, class string) {
	GinkgoHelper()
	brk, why := ingress.BreakOf(newScene(ctx, class).ctl.Name, ingress.PrefixPaths)
	if why != "" {
		e2e.NotSupported(why)
	}
	only := prepare(ctx, class, ingress.PrefixPaths)
	Expect(only).To(HaveLen(1))
	p := only[0]
	foo := p.s.backend("foo")
	By("breaking Prefix matching: " + brk.What)
	repair, err := brk.Apply(ctx, p.s.cl, p.s.ctl)
	if repair != nil {
		DeferCleanup(func(ctx SpecContext) {
			Expect(repair(ctx)).To(Succeed())
			By("after the repair the Prefix check passes again")
			Eventually(ctx, p.checkIn(ctx)).WithTimeout(timeouts.Current.IngressRoute).Should(Succeed())
		})
	}
	Expect(err).NotTo(HaveOccurred())
	// Until the reconfigured controller serves, every request may be
	// refused (the Service has no ready endpoint; Cilium refuses at once):
	// wait for the failure of the new configuration, /foobar served.
	var failure string
	Eventually(ctx, func() string { failure = e2e.Failure(p.check); return failure }).
		WithTimeout(timeouts.Current.IngressRoute).Should(MatchRegexp(`/foobar Host \S+ from .*saw status 200, from backend `+regexp.QuoteMeta(foo.Namespace+"/"+foo.Pod)+` `),
		"the failure does not say /foobar reached %s", foo)
	AddReportEntry("failure", failure)
	Expect(failure).To(ContainSubstring("Prefix /foo must not match /foobar"))
	e2e.ExpectHeadline(failure, ContainSubstring("/foobar"))
}
