package reach

import (
	"strings"
	"testing"
)

func TestStepCheck(t *testing.T) {
	a, b := Peer{Namespace: "x", Pod: "a"}, Peer{Namespace: "x", Pod: "b"}
	allowed := func() *Table { return NewTable([]Peer{a, b}, Allow) }
	denied := func() *Table {
		tbl := allowed()
		tbl.Set(b, a, Deny)
		return tbl
	}
	deniedElsewhere := func() *Table {
		tbl := allowed()
		tbl.Set(a, b, Deny)
		return tbl
	}
	undecided := func() *Table {
		tbl := allowed()
		tbl.Set(b, a, Any)
		return tbl
	}
	for _, c := range []struct {
		name               string
		intent             Intent
		previous, expected []*Table
		wantErr            string // "" for none
	}{
		{"a deny that denies", Denies, nil, []*Table{allowed(), denied()}, ""},
		{"a deny that denies nothing", Denies, nil, []*Table{allowed(), allowed()}, "denies no cell"},
		{"a deny that leaves a cell open, and denies nothing", Denies, nil, []*Table{undecided()}, "denies no cell"},
		{"a deny that changes the step before", Denies, []*Table{denied()}, []*Table{deniedElsewhere()}, ""},
		// A CNI that ignored the step may already deny the cell left open.
		{"a deny that only decides a cell left open", Denies, []*Table{undecided()}, []*Table{denied()}, "same as the step before"},
		{"a deny that changes nothing", Denies, []*Table{denied()}, []*Table{denied()}, "same as the step before"},
		{"a policy deleted", AllowsAll, []*Table{denied()}, []*Table{allowed()}, ""},
		{"a policy deleted that still denies", AllowsAll, []*Table{denied()}, []*Table{denied()}, "still denies 1 cell"},
		{"a first step that allows all", AllowsAll, nil, []*Table{allowed()}, "same as the step before"},
		{"no intent", 0, nil, []*Table{denied()}, "no intent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			step := Step{Case: "the case", Name: "the step", Intent: c.intent}
			err := step.Check(c.previous, c.expected)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.wantErr == "":
			case err == nil:
				t.Fatalf("no error, want one saying %q", c.wantErr)
			case !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), `case "the case", step "the step"`):
				t.Fatalf("error %q does not name the case and step and say %q", err, c.wantErr)
			}
		})
	}
}
