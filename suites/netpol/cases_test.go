package netpol

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/reach"
)

// The Disruptive spec sees every step that intends a deny violated with
// enforcement off, not only a case's first: a step it leaves out is never
// shown able to fail. A step that allows all cannot be violated by
// switching enforcement off; ExpectStep holds it to a change from the
// step before, whose deny the conformance spec saw enforced.
func TestDisruptiveSpecViolatesEveryDenyingStep(t *testing.T) {
	for _, c := range policyCases {
		if len(c.steps) == 0 {
			t.Errorf("case %q has no step", c.name)
		}
		names := map[string]bool{}
		for i, s := range c.steps {
			if s.intent != reach.Denies && s.intent != reach.AllowsAll {
				t.Errorf("case %q, step %q: no intent declared", c.name, s.name)
			}
			if names[s.name] {
				t.Errorf("case %q: two steps named %q", c.name, s.name)
			}
			names[s.name] = true
			if want := s.intent == reach.Denies; c.violatedUnenforced(i) != want {
				t.Errorf("case %q, step %d %q (%s): seen violated with enforcement off = %v, want %v", c.name, i+1, s.name, s.intent, c.violatedUnenforced(i), want)
			}
		}
	}
}

// fakeObjects are a topology's objects without a cluster: namespaces x,
// y, z with pods a, b, c each, as DeployTopology makes them (the same
// labels and named ports), for the evaluator to read.
type fakeObjects struct {
	t          *testing.T
	pods       []corev1.Pod
	namespaces []corev1.Namespace
	policies   []networkingv1.NetworkPolicy
}

func newFakeObjects(t *testing.T) *fakeObjects {
	o := &fakeObjects{t: t}
	ip := 10
	for _, ns := range []string{"x", "y", "z"} {
		o.namespaces = append(o.namespaces, corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns,
			Labels: map[string]string{"ns": ns, "kubernetes.io/metadata.name": ns}}})
		for _, name := range []string{"a", "b", "c"} {
			p := agent.Pod(name, ns, fixtures.WithPolicyPorts(), agent.WithLabels(map[string]string{"pod": name}))
			p.Status.PodIP = fmt.Sprintf("10.244.0.%d", ip)
			p.Status.PodIPs = []corev1.PodIP{{IP: p.Status.PodIP}}
			o.pods = append(o.pods, *p)
			ip++
		}
	}
	return o
}

func (o *fakeObjects) Pod(ns, name string) *corev1.Pod {
	for i := range o.pods {
		if o.pods[i].Namespace == ns && o.pods[i].Name == name {
			return &o.pods[i]
		}
	}
	o.t.Fatalf("no pod %s/%s", ns, name)
	return nil
}

func (o *fakeObjects) Apply(_ context.Context, ns string, np *networkingv1.NetworkPolicy) {
	np.Namespace = ns
	o.policies = append(o.policies, *np.DeepCopy())
}

func (o *fakeObjects) DeletePolicy(_ context.Context, ns, name string) {
	before := len(o.policies)
	o.policies = slices.DeleteFunc(o.policies, func(np networkingv1.NetworkPolicy) bool { return np.Namespace == ns && np.Name == name })
	if len(o.policies) == before {
		o.t.Fatalf("no policy %s/%s to delete", ns, name)
	}
}

func (o *fakeObjects) RelabelPod(_ context.Context, ns, name, key, value string) {
	o.Pod(ns, name).Labels[key] = value
}

func (o *fakeObjects) Label(_ context.Context, ns string, labels map[string]string) map[string]string {
	for i := range o.namespaces {
		if o.namespaces[i].Name == ns {
			maps.Copy(o.namespaces[i].Labels, labels)
			return o.namespaces[i].Labels
		}
	}
	o.t.Fatalf("no namespace %s", ns)
	return nil
}

// Every step of every case does what it intends, as the evaluator reads
// the objects it leaves: a deny step denies some cell, an allow step
// denies none, and each changes the matrix of the step before. The
// conformance spec checks the same on the cluster before probing; this
// catches a slip in a case, or in the evaluator, without one.
func TestEveryStepDoesWhatItIntends(t *testing.T) {
	ctx := context.Background()
	for _, c := range policyCases {
		t.Run(c.name, func(t *testing.T) {
			gomega.RegisterTestingT(t) // a step's own assertions (decoding a manifest)
			o := newFakeObjects(t)
			var before []*reach.Table
			for _, s := range c.steps {
				s.do(ctx, o)
				snap := reach.NewSnapshot(o.policies, o.pods, o.namespaces)
				var want []*reach.Table
				for _, rc := range c.probed() {
					tbl, err := snap.Expect(rc)
					if err != nil {
						t.Fatalf("step %q: %v", s.name, err)
					}
					want = append(want, tbl)
				}
				if err := c.step(s).Check(before, want); err != nil {
					t.Error(err)
				}
				before = want
			}
		})
	}
}
