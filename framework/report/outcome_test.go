package report

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// Each of Ginkgo's endings becomes one state, in this one place.
func TestFromGinkgo(t *testing.T) {
	it := func(state types.SpecState, message string) types.SpecReport {
		return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "answers", ContainerHierarchyTexts: []string{"A Service"},
			ContainerHierarchyLabels: [][]string{{"services"}}, LeafNodeLabels: []string{IDPrefix + "svc-answers"},
			State: state, Failure: types.Failure{Message: message}}
	}
	timedOut := it(types.SpecStateTimedout, "A node timeout occurred")
	timedOut.Failure.AdditionalFailure = &types.AdditionalFailure{State: types.SpecStateFailed, Failure: types.Failure{
		Message: "A node timeout occurred and then the following failure was recorded in the timedout node before it exited:\n" +
			"Context was cancelled after 29.950s.\nExpected success, but got an error:\n    <*errors.errorString | 0xc0001>: \n    Service web has no ready endpoints\n    {s: \"Service web has no ready endpoints\"}"}}
	panicked := it(types.SpecStatePanicked, "Test Panicked")
	panicked.Failure.ForwardedPanic = "runtime error: index out of range [3] with length 3"
	for _, c := range []struct {
		in      types.SpecReport
		state   State
		leftOut bool
		head    string
	}{
		{it(types.SpecStatePassed, ""), Passed, false, ""},
		{it(types.SpecStateFailed, "Unexpected error:\n    <*errors.errorString | 0xc0001>: \n    no endpoints\n    {s: \"no endpoints\"}\noccurred"), Failed, false, "no endpoints"},
		{it(types.SpecStateSkipped, UnsupportedPrefix+"SCTP: no sctp module"), Unsupported, false, "SCTP: no sctp module"},
		{it(types.SpecStateSkipped, "needs two nodes"), Skipped, false, "needs two nodes"},
		{it(types.SpecStateSkipped, ""), Skipped, true, ""},
		{it(types.SpecStatePending, ""), Pending, false, "pending"},
		{it(types.SpecStateInterrupted, "Interrupted by User"), Interrupted, false, "interrupted: Interrupted by User"},
		{it(types.SpecStateAborted, "aborted"), Interrupted, false, "interrupted: aborted"},
		{it(types.SpecStateTimedout, "A node timeout occurred"), Failed, false, "A node timeout occurred"},
		{timedOut, Failed, false, "Service web has no ready endpoints"},
		{panicked, Failed, false, "panic: runtime error: index out of range [3] with length 3"},
	} {
		s := FromGinkgo(c.in)
		if s.State != c.state || s.LeftOut() != c.leftOut || s.Headline() != c.head {
			t.Errorf("%s %q: state %s, left out %v, headline %q; want %s, %v, %q", c.in.State, c.in.Failure.Message,
				s.State, s.LeftOut(), s.Headline(), c.state, c.leftOut, c.head)
		}
		if s.ID != "svc-answers" || s.Name != "A Service answers" {
			t.Errorf("ID %q, name %q", s.ID, s.Name)
		}
	}
}
