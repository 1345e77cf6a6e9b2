package reach

import "fmt"

// Intent is what one step of a policy case means to do to the matrix. It
// is declared with the case, so that the step's expected tables can be
// checked against it before the cluster is: a case whose policies deny
// nothing, through a slip in the case or in the evaluator, would
// otherwise pass on a CNI that enforces nothing.
type Intent int

const (
	// Denies: after the step, at least one cell is denied.
	Denies Intent = iota + 1
	// AllowsAll: after the step, no cell is denied (a deleted policy
	// gives the pods their reachability back).
	AllowsAll
)

func (i Intent) String() string {
	switch i {
	case Denies:
		return "denies"
	case AllowsAll:
		return "allows all"
	default:
		return fmt.Sprintf("Intent(%d)", int(i))
	}
}

// Step names one step of a policy case and what it intends.
type Step struct {
	Case, Name string
	Intent     Intent
}

func (s Step) String() string { return fmt.Sprintf("case %q, step %q", s.Case, s.Name) }

// Check holds the step's expected tables (one per probed Case) to its
// intent, and to a change from the tables of the step before it (nil for
// a case's first step, whose "before" is the all-allowed baseline): a
// step that changes nothing the matrix shows would pass on a CNI that
// ignored it. The error names the case and the step.
func (s Step) Check(previous, expected []*Table) error {
	denied := 0
	for _, t := range expected {
		denied += t.count(Deny)
	}
	switch s.Intent {
	case Denies:
		if denied == 0 {
			return fmt.Errorf("%s intends a deny, but the matrix the evaluator expects from its objects denies no cell: it would pass on a CNI that enforces nothing", s)
		}
	case AllowsAll:
		if denied > 0 {
			return fmt.Errorf("%s intends to allow every cell, but the matrix the evaluator expects from its objects still denies %d cell(s)", s, denied)
		}
	default:
		return fmt.Errorf("%s declares no intent (%s or %s)", s, Denies, AllowsAll)
	}
	if sameTables(previous, expected) {
		return fmt.Errorf("%s: the matrix the evaluator expects is the same as the step before (the all-allowed baseline for a first step): it would pass on a CNI that ignored the step", s)
	}
	return nil
}

// sameTables reports whether a CNI still showing the previous step's
// matrix would pass the expected one: the tables agree on every cell
// (Table.Equal: a cell the contract leaves open agrees with any verdict).
// A nil previous stands for the all-allowed baseline.
func sameTables(previous, expected []*Table) bool {
	if previous == nil {
		for _, t := range expected {
			if !t.Equal(NewTable(t.Peers(), Allow)) {
				return false
			}
		}
		return true
	}
	if len(previous) != len(expected) {
		return false
	}
	for i := range expected {
		if !previous[i].Equal(expected[i]) {
			return false
		}
	}
	return true
}
