package reach

import (
	"fmt"
	"strings"
)

// maxListedMismatches bounds the per-cell lines of a report; the diff table
// already shows every mismatch, the list only spells out the first ones.
const maxListedMismatches = 20

// legend explains the symbols; a report is read by someone who did not
// write this package.
const legend = "rows: sources, columns: destinations; . allowed, X denied, * either, ? inconclusive"

// Compare checks observed against expected. ok is true only if both tables
// cover the same, non-empty set of peers and every cell agrees on a definite
// verdict; an Inconclusive cell on either side is a mismatch, and tables
// without cells confirm nothing. The report shows the
// expected, observed and diff tables and lists the first mismatching cells.
func Compare(expected, observed *Table) (ok bool, report string) {
	// A missing table is reported like an empty one: every cell differs.
	if expected == nil {
		expected = NewTable(nil, Inconclusive)
	}
	if observed == nil {
		observed = NewTable(nil, Inconclusive)
	}
	diff, differences := expected.Diff(observed)
	var b strings.Builder
	b.WriteString(legend + "\n")
	b.WriteString("expected:\n" + expected.String())
	b.WriteString("observed:\n" + observed.String())
	cells := len(diff.peers) * len(diff.peers)
	fmt.Fprintf(&b, "diff (X differs, . agrees): %d of %d cells differ:\n%s", differences, cells, diff.String())
	listMismatches(&b, expected, observed, diff)
	return differences == 0 && cells > 0, b.String()
}

// listMismatches writes one line per disagreeing cell, up to a limit.
func listMismatches(b *strings.Builder, expected, observed, diff *Table) {
	listed := 0
	for _, from := range diff.peers {
		for _, to := range diff.peers {
			if diff.Get(from, to) != Deny {
				continue
			}
			if listed == maxListedMismatches {
				b.WriteString("  ...\n")
				return
			}
			listed++
			fmt.Fprintf(b, "  %s -> %s: expected %s, observed %s\n",
				from, to, describeCell(expected, from, to), describeCell(observed, from, to))
		}
	}
}

func describeCell(t *Table, from, to Peer) string {
	v, ok := t.lookup(from, to)
	if !ok {
		return "nothing (peer missing)"
	}
	return fmt.Sprintf("%s (%s)", v.Name(), v)
}
