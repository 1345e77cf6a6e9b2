package report

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"
)

// gomegaFailures are the messages real Gomega writes for the ways specs
// fail, around causes as framework/mesh, framework/matrix and the
// diagnosis state them.
func gomegaFailures(t *testing.T) map[string]string {
	t.Helper()
	var last string
	g := gomega.NewGomega(func(m string, _ ...int) { last = m })
	fail := func(f func()) string { last = ""; f(); return last }
	short := func(a gomega.AsyncAssertion) gomega.AsyncAssertion {
		return a.WithTimeout(30 * time.Millisecond).WithPolling(10 * time.Millisecond)
	}
	mesh := errors.New("pod → pod TCP, no NAT: 2 of 9 node pairs failed\n  - w1 → w2: the server saw 172.18.0.3\n  - w2 → w1: timed out")
	wrapped := fmt.Errorf("IngressClass traefik: %w", errors.New("no Service selects the controller's pods"))
	return map[string]string{
		"Eventually on an error": fail(func() {
			short(g.Eventually(func() error { return mesh })).Should(gomega.Succeed())
		}),
		"Eventually on an error, with a description": fail(func() {
			short(g.Eventually(func() error { return mesh })).Should(gomega.Succeed(), "cluster DNS")
		}),
		"Eventually on a Gomega function with a description": fail(func() {
			short(g.Eventually(func(g gomega.Gomega) {
				g.Expect(1).To(gomega.Equal(2), "IngressClass traefik: no Service selects the controller's pods")
			})).Should(gomega.Succeed())
		}),
		"Unexpected error": fail(func() { g.Expect(wrapped).NotTo(gomega.HaveOccurred()) }),
		"Expected success": fail(func() { g.Expect(wrapped).To(gomega.Succeed()) }),
		"Consistently": fail(func() {
			short(g.Consistently(func() error { return mesh })).ShouldNot(gomega.HaveOccurred())
		}),
		"bare Equal": fail(func() { g.Expect("Refused").To(gomega.Equal("Connected")) }),
		// The spec's own bound ended the wait (SpecContext): Ginkgo's
		// additional failure, as internal/suite.go words it.
		"spec timeout": fail(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			g.Eventually(ctx, func() error { return mesh }).WithPolling(10 * time.Millisecond).Should(gomega.Succeed())
		}),
		// A function returning a value and an error, its error non-nil.
		"value and error": fail(func() {
			short(g.Eventually(func() (int, error) { return 0, mesh })).Should(gomega.Equal(1))
		}),
		// A value that never came.
		"value": fail(func() {
			short(g.Eventually(func() string { return "Refused" })).Should(gomega.Equal("Connected"))
		}),
		// ExpectMesh: the failed checks' report is the assertion's description.
		"mesh report": fail(func() {
			short(g.Eventually(func(g gomega.Gomega) {
				g.Expect(2).To(gomega.BeZero(), "%s", mesh.Error()+"\n       w1  w2\n  w1   .   x\n")
			})).Should(gomega.Succeed())
		}),
		// A Gomega function whose error is described.
		"described error in Eventually": fail(func() {
			short(g.Eventually(func(g gomega.Gomega) {
				g.Expect(errors.New("exec in pod agent-w1: container not found")).NotTo(gomega.HaveOccurred(), "observing the mesh")
			})).Should(gomega.Succeed())
		}),
	}
}

func TestHeadlineIsTheCause(t *testing.T) {
	msgs := gomegaFailures(t)
	for name, want := range map[string]string{
		"Eventually on an error":                             "pod → pod TCP, no NAT: 2 of 9 node pairs failed",
		"Eventually on an error, with a description":         "cluster DNS: pod → pod TCP, no NAT: 2 of 9 node pairs failed",
		"Eventually on a Gomega function with a description": "IngressClass traefik: no Service selects the controller's pods",
		"Unexpected error":                                   "IngressClass traefik: no Service selects the controller's pods",
		"Expected success":                                   "IngressClass traefik: no Service selects the controller's pods",
		"Consistently":                                       "pod → pod TCP, no NAT: 2 of 9 node pairs failed",
		"bare Equal":                                         "got Refused, want it to equal Connected",
		"spec timeout":                                       "pod → pod TCP, no NAT: 2 of 9 node pairs failed",
		"value and error":                                    "pod → pod TCP, no NAT: 2 of 9 node pairs failed",
		"value":                                              "got Refused, want it to equal Connected",
		"mesh report":                                        "pod → pod TCP, no NAT: 2 of 9 node pairs failed",
		"described error in Eventually":                      "observing the mesh: exec in pod agent-w1: container not found",
	} {
		msg := msgs[name]
		if name == "spec timeout" {
			msg = "A node timeout occurred and then the following failure was recorded in the timedout node before it exited:\n" + msg
		}
		if msg == "" {
			t.Fatalf("%s: Gomega did not fail", name)
		}
		if got := Headline(msg); got != want {
			t.Errorf("%s:\n%s\nheadline %q\n    want %q", name, msg, got, want)
		}
	}
}

func TestHeadlineOfPlainMessages(t *testing.T) {
	ingress := "Timed out after 63.246s.\nThe function passed to Eventually failed at suites/ingress/scene.go:175 with:\n" +
		"IngressClass haproxy does not route as the Ingress API requires (2 of 2 requests):\n" +
		"  - GET http://172.18.0.5:30148/ready from the host: expected 2xx, saw Refused\n" +
		"  - GET http://10.96.0.7/ready from a client pod: expected 2xx, saw Refused"
	// Seen with CoreDNS scaled to 0: the cause is at the end of a long line.
	dns := "Timed out after 30.518s.\nThe function passed to Eventually failed at suites/dns/dns.go:47 with:\n" +
		"A web.x.svc.cluster.local from client on w1: TimedOut: i/o timeout (" + strings.Repeat("detail ", 80) +
		"cluster DNS 10.96.0.10: Service kube-dns has no endpoints)\nExpected\n    <probe.Verdict>: TimedOut\nto equal\n    <probe.Verdict>: Connected"
	if got := Headline(dns); !strings.HasSuffix(got, "Service kube-dns has no endpoints)") || strings.Contains(got, "\n") || len([]rune(got)) > headlineWidth {
		t.Errorf("the CoreDNS failure lost its cause, spans lines or is too long: %q", got)
	}
	for msg, want := range map[string]string{
		ingress: "IngressClass haproxy does not route as the Ingress API requires (2 of 2 requests): GET http://172.18.0.5:30148/ready from the host: expected 2xx, saw Refused",
		"pod agent-w2 on w2 → pod agent-w1 on w1, TCP: the server saw 172.18.0.3": "pod agent-w2 on w2 → pod agent-w1 on w1, TCP: the server saw 172.18.0.3",
		"Timed out after 5.000s.": "timed out after 5.000s",
		"":                        "",
		strings.Repeat("h", 300) + strings.Repeat("t", 300): strings.Repeat("h", 192) + " … " + strings.Repeat("t", 285),
	} {
		if got := Headline(msg); got != want {
			t.Errorf("Headline(%q)\n got %q\nwant %q", msg, got, want)
		}
	}
}

// The HTML page shows a failed cell's headline before it is opened: the
// same line the terminal prints for the same failure.
func TestTheHTMLPageAndTheTerminalShowOneHeadline(t *testing.T) {
	for name, msg := range gomegaFailures(t) {
		cell := CellView{Spec: &Spec{State: Failed, Failure: msg}}
		if got, want := cell.FailureHead(), Headline(msg); got != want {
			t.Errorf("%s: the page shows %q, the terminal %q", name, got, want)
		}
	}
}
