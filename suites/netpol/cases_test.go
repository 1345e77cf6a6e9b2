package netpol

import (
	"testing"

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
