package report

import (
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// UnsupportedPrefix starts the skip message of a spec that a missing
// feature ended (e2e.NotSupported): Unsupported, not Skipped.
const UnsupportedPrefix = "NotSupported: "

// IDPrefix starts the label that carries a spec's stable ID (e2e.ID):
// --label-filter id:<ID> selects it.
const IDPrefix = "id:"

// Report entries a spec attaches for the conformance report.
const (
	EntryExpected = "expected"
	EntryObserved = "observed"
	EntryDiff     = "diff"
	// EntryWaited is the seconds a spec waited for the cluster's lock,
	// taken out of its own time.
	EntryWaited = "waited for its turn (s)"
)

// LeftOutNote says why a spec did not run when a filter left it out.
const LeftOutNote = "left out by the label filter or focus"

// LeftOut reports whether the run's label filter or focus left the spec
// out: it did not run, and says nothing about the cluster. Ginkgo reports
// it skipped with no message; every other skip has its reason.
func (s Spec) LeftOut() bool { return s.State == Skipped && s.Reason == "" }

// IDOf is the stable ID among a spec's labels ("" when it has none).
func IDOf(labels []string) string {
	for _, l := range labels {
		if id, ok := strings.CutPrefix(l, IDPrefix); ok {
			return id
		}
	}
	return ""
}

// FromGinkgo is one spec's outcome as Ginkgo reported it: the one place
// Ginkgo's states become netconform's. Only It nodes are specs.
func FromGinkgo(s types.SpecReport) Spec {
	spec := Spec{ID: IDOf(s.Labels()), Name: s.FullText(), Labels: s.Labels(), Seconds: s.RunTime.Seconds()}
	switch {
	case s.State == types.SpecStatePassed:
		spec.State = Passed
	case s.State == types.SpecStateSkipped && strings.HasPrefix(s.Failure.Message, UnsupportedPrefix):
		spec.State, spec.Reason = Unsupported, strings.TrimPrefix(s.Failure.Message, UnsupportedPrefix)
	case s.State == types.SpecStateSkipped:
		spec.State, spec.Reason = Skipped, s.Failure.Message
	case s.State == types.SpecStatePending:
		spec.State = Pending
	case s.State.Is(types.SpecStateInterrupted | types.SpecStateAborted):
		spec.State, spec.Failure = Interrupted, s.Failure.Message
	default:
		spec.State, spec.Failure, spec.Location = Failed, s.Failure.Message, s.Failure.Location.String()
	}
	// A spec that timed out or was interrupted says so first; what its
	// assertion saw as it ended, the cause, comes after.
	if more := s.Failure.AdditionalFailure; more != nil && more.Failure.Message != "" {
		spec.Failure = more.Failure.Message
	}
	// Ginkgo's message for a panic is "Test Panicked": the value is the cause.
	if p := s.Failure.ForwardedPanic; p != "" {
		spec.Failure = "panic: " + p + "\n" + spec.Failure
	}
	for _, e := range s.ReportEntries {
		switch e.Name {
		case EntryExpected:
			spec.Expected = e.StringRepresentation()
		case EntryObserved:
			spec.Observed = e.StringRepresentation()
		case EntryDiff:
			spec.Diff = e.StringRepresentation()
		case EntryWaited:
			if w, err := strconv.ParseFloat(e.StringRepresentation(), 64); err == nil && w <= spec.Seconds {
				spec.WaitedSeconds, spec.Seconds = w, spec.Seconds-w
			}
		}
	}
	return spec
}
