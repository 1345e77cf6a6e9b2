package reach

import (
	"fmt"
	"strings"
)

// Table holds one verdict per (source, destination) pair. Rows are sources
// and columns destinations, both in the order the peers were given.
type Table struct {
	peers []Peer
	index map[Peer]int
	cells []Verdict // row-major: cells[from*len(peers)+to]
}

// NewTable returns a table over peers with every cell set to fill.
// Duplicate peers are kept once, at their first position.
func NewTable(peers []Peer, fill Verdict) *Table {
	t := &Table{index: make(map[Peer]int, len(peers))}
	for _, p := range peers {
		if _, dup := t.index[p]; dup {
			continue
		}
		t.index[p] = len(t.peers)
		t.peers = append(t.peers, p)
	}
	t.cells = make([]Verdict, len(t.peers)*len(t.peers))
	for i := range t.cells {
		t.cells[i] = fill
	}
	return t
}

// Peers returns the table's peers in row (and column) order.
func (t *Table) Peers() []Peer {
	return append([]Peer(nil), t.peers...)
}

// Has reports whether p is a row and column of the table.
func (t *Table) Has(p Peer) bool {
	_, ok := t.index[p]
	return ok
}

// Set records the verdict for from→to. Like indexing a slice out of range,
// naming a peer the table does not have is a programming error and panics.
func (t *Table) Set(from, to Peer, v Verdict) {
	t.cells[t.mustOffset(from, to)] = v
}

// Get returns the verdict for from→to; it panics on an unknown peer, as Set
// does.
func (t *Table) Get(from, to Peer) Verdict {
	return t.cells[t.mustOffset(from, to)]
}

// count is how many cells hold v.
func (t *Table) count(v Verdict) int {
	n := 0
	for _, c := range t.cells {
		if c == v {
			n++
		}
	}
	return n
}

// lookup is Get without the panic, for comparing tables over different
// peers.
func (t *Table) lookup(from, to Peer) (Verdict, bool) {
	i, ok := t.offset(from, to)
	if !ok {
		return Inconclusive, false
	}
	return t.cells[i], true
}

func (t *Table) offset(from, to Peer) (int, bool) {
	row, okFrom := t.index[from]
	col, okTo := t.index[to]
	return row*len(t.peers) + col, okFrom && okTo
}

func (t *Table) mustOffset(from, to Peer) int {
	i, ok := t.offset(from, to)
	if !ok {
		panic(fmt.Sprintf("reach: %s -> %s: peer not in table %v", from, to, t.peers))
	}
	return i
}

// Equal reports whether both tables have the same peers and agree on every
// cell. Cells agree only when they hold the same definite verdict, so a
// table with an Inconclusive cell equals no table, itself included.
func (t *Table) Equal(other *Table) bool {
	if other == nil {
		return false
	}
	_, differences := t.Diff(other)
	return differences == 0
}

// Diff returns a table over the peers of both tables (t's first) marking
// each cell Allow (".") where the tables agree and Deny ("X") where they do
// not, together with the number of disagreeing cells. A cell disagrees if
// either side is Inconclusive or lacks the pair.
func (t *Table) Diff(other *Table) (*Table, int) {
	peers := t.Peers()
	if other != nil {
		peers = append(peers, other.peers...)
	}
	diff := NewTable(peers, Deny)
	differences := 0
	for _, from := range diff.peers {
		for _, to := range diff.peers {
			if t.agreesAt(other, from, to) {
				diff.Set(from, to, Allow)
			} else {
				differences++
			}
		}
	}
	return diff, differences
}

func (t *Table) agreesAt(other *Table, from, to Peer) bool {
	if other == nil {
		return false
	}
	mine, ok := t.lookup(from, to)
	theirs, okOther := other.lookup(from, to)
	return ok && okOther && mine.Agrees(theirs)
}

// String prints the table as an aligned matrix with a header row of
// destinations and a header column of sources, for example:
//
//	    x/a x/b
//	x/a  .   X
//	x/b  ?   .
func (t *Table) String() string {
	if len(t.peers) == 0 {
		return "(no peers)\n"
	}
	names := make([]string, len(t.peers))
	rowWidth := 0
	for i, p := range t.peers {
		names[i] = p.String()
		rowWidth = max(rowWidth, len(names[i]))
	}
	var b strings.Builder
	header := strings.Repeat(" ", rowWidth)
	for _, name := range names {
		header += " " + name
	}
	b.WriteString(strings.TrimRight(header, " ") + "\n")
	for row, name := range names {
		line := fmt.Sprintf("%-*s", rowWidth, name)
		for col, colName := range names {
			line += " " + Centered(t.cells[row*len(names)+col].String(), len(colName))
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// Centered pads s to width, leaning left when the padding is uneven, so a
// symbol sits under the middle of its column header (in every printed
// table of the project).
func Centered(s string, width int) string {
	pad := width - len(s)
	if pad <= 0 {
		return s
	}
	left := pad / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", pad-left)
}

// Renamed returns a copy of the table with every peer renamed by f (for
// shorter names in printed reports). f must not map two peers to one.
func (t *Table) Renamed(f func(Peer) Peer) *Table {
	peers := t.Peers()
	renamed := make([]Peer, len(peers))
	for i, p := range peers {
		renamed[i] = f(p)
	}
	out := NewTable(renamed, Inconclusive)
	for i, from := range peers {
		for j, to := range peers {
			out.Set(renamed[i], renamed[j], t.Get(from, to))
		}
	}
	return out
}
