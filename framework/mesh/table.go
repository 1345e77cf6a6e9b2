package mesh

import (
	"fmt"
	"strings"

	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/reach"
)

// Outcome is how one pair fared on one check.
type Outcome int

// Outcomes. Unprobed is the zero value: a cell nobody filled in is never
// mistaken for a pass.
const (
	Unprobed Outcome = iota
	// OK: answered by the right peer, from the right source.
	OK
	// TimedOut: nothing came back (a drop, a missing route, a lost payload).
	TimedOut
	// Refused: actively rejected (RST, ICMP unreachable, local reject).
	Refused
	// Translated: answered, but the server saw another source address.
	Translated
	// WrongPeer: answered by another pod or node than the one aimed at.
	WrongPeer
	// Failed: any other error (a payload the kernel refused to send, say).
	Failed
	// Inconclusive: something answered, but not usably, or the exec failed.
	Inconclusive
	// Skipped: the pair is not part of the check (a node with itself).
	Skipped
)

// Symbol is the outcome's one-character mark in tables.
func (o Outcome) Symbol() string {
	return [...]string{"?", ".", "T", "R", "N", "W", "F", "?", "-"}[o]
}

func (o Outcome) String() string {
	return [...]string{"unprobed", "ok", "timed out", "refused", "translated", "wrong peer", "failed", "inconclusive", "skipped"}[o]
}

// legend explains the symbols to someone who did not write this package.
const legend = "rows: source nodes, columns: destination nodes; . ok, T timed out, R refused, N source translated (NAT), W answered by another peer, F failed, ? inconclusive, - not part of the check"

// Cell is the outcome of one pair, with what was seen.
type Cell struct {
	Outcome Outcome
	// Why spells the outcome out for a failure message.
	Why string
	// Seen is the source address the server saw, when it answered.
	Seen string
	// Payload is the payload size sent, MTU the source's path MTU.
	Payload, MTU int
}

// Table is one check's node × node outcomes.
type Table struct {
	Check Check
	// Nodes are the rows (sources) and columns (destinations), in order.
	Nodes []string
	cells map[[2]string]Cell
	// describe names the agents of a pair in failure lines.
	describe func(from, to string) string
}

func newTable(c Check, nodes []string, describe func(from, to string) string) *Table {
	t := &Table{Check: c, Nodes: nodes, cells: map[[2]string]Cell{}, describe: describe}
	for _, from := range nodes {
		for _, to := range nodes {
			if c.CrossNode && from == to {
				t.cells[[2]string{from, to}] = Cell{Outcome: Skipped}
			}
		}
	}
	return t
}

// Get returns the cell of from → to.
func (t *Table) Get(from, to string) Cell { return t.cells[[2]string{from, to}] }

func (t *Table) set(from, to string, c Cell) { t.cells[[2]string{from, to}] = c }

// Failed lists the pairs that did not pass, row by row.
func (t *Table) Failed() [][2]string {
	var out [][2]string
	for _, from := range t.Nodes {
		for _, to := range t.Nodes {
			if o := t.Get(from, to).Outcome; o != OK && o != Skipped {
				out = append(out, [2]string{from, to})
			}
		}
	}
	return out
}

// Pairs counts the pairs the check covers.
func (t *Table) Pairs() int {
	n := 0
	for _, c := range t.cells {
		if c.Outcome != Skipped {
			n++
		}
	}
	return len(t.Nodes)*len(t.Nodes) - (len(t.cells) - n)
}

// String prints the table in the style of framework/reach's tables: a
// header row of destinations, a header column of sources, one symbol per
// cell under the middle of its column.
func (t *Table) String() string {
	short := shortNames(t.Nodes)
	width := 0
	for _, n := range t.Nodes {
		width = max(width, len(short[n]))
	}
	var b strings.Builder
	header := strings.Repeat(" ", width)
	for _, n := range t.Nodes {
		header += " " + short[n]
	}
	b.WriteString(strings.TrimRight(header, " ") + "\n")
	for _, from := range t.Nodes {
		line := fmt.Sprintf("%-*s", width, short[from])
		for _, to := range t.Nodes {
			line += " " + reach.Centered(t.Get(from, to).Outcome.Symbol(), len(short[to]))
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// maxListed bounds the per-pair lines of a report; the table shows all.
const maxListed = 20

// Report is "" when every pair passed; otherwise the check's name, how
// many pairs failed, the table, the pattern the failures form (a whole
// row: the source node; a whole column: the destination node) and one
// line per failed pair naming both agents and what was seen.
func (t *Table) Report() string {
	failed := t.Failed()
	if len(failed) == 0 {
		return ""
	}
	var b strings.Builder
	// The first line is what every summary shows: where (the pattern's
	// node, else the first failed pair) and what was seen.
	where := ""
	patterns := t.patterns()
	if len(patterns) > 0 {
		where = strings.Join(patterns, "; ") + "; e.g. "
	}
	first := failed[0]
	where += t.describe(first[0], first[1]) + ": " + t.Get(first[0], first[1]).Why
	fmt.Fprintf(&b, "%s: %d of %d node pairs failed: %s\n%s\n%s", t.Check.Name, len(failed), t.Pairs(), where, legend, t.String())
	for _, p := range patterns {
		b.WriteString("  " + p + "\n")
	}
	for i, pair := range failed {
		if i == maxListed {
			fmt.Fprintf(&b, "  ... and %d more\n", len(failed)-maxListed)
			break
		}
		fmt.Fprintf(&b, "  %s: %s\n", t.describe(pair[0], pair[1]), t.Get(pair[0], pair[1]).Why)
	}
	return b.String()
}

// patterns names nodes whose every pair failed as a source or as a
// destination while other nodes' pairs passed: the fault is then on that
// node, in that direction.
func (t *Table) patterns() []string {
	failed, pairs := len(t.Failed()), t.Pairs()
	if failed == pairs {
		return []string{"every pair fails: the check itself, or the whole data plane"}
	}
	// allFail reports whether every pair of the check along one node's
	// row (or column) failed.
	allFail := func(n string, row bool) bool {
		counted := 0
		for _, o := range t.Nodes {
			from, to := n, o
			if !row {
				from, to = o, n
			}
			switch t.Get(from, to).Outcome {
			case Skipped:
				continue
			case OK:
				return false
			}
			counted++
		}
		return counted > 0
	}
	var out []string
	for _, n := range t.Nodes {
		if allFail(n, true) {
			out = append(out, fmt.Sprintf("every pair from %s fails: look at %s's egress", n, n))
		}
		if allFail(n, false) {
			out = append(out, fmt.Sprintf("every pair to %s fails: look at %s's ingress", n, n))
		}
	}
	return out
}

// classify turns a probe result into a cell. src is the client agent, dst
// the one aimed at; m names the owners of addresses.
func classify(m *Mesh, c Check, src, dst Agent, r probe.Result) Cell {
	cell := Cell{}
	if r.Echo != nil {
		cell.Seen = peerIP(r.Echo.Peer)
	}
	switch r.Verdict {
	case probe.Connected:
	case probe.TimedOut:
		cell.Outcome, cell.Why = TimedOut, "timed out: "+r.Error
		return cell
	case probe.Refused:
		cell.Outcome, cell.Why = Refused, "refused: "+r.Error
		return cell
	case probe.Inconclusive:
		cell.Outcome, cell.Why = Inconclusive, "inconclusive: "+r.Error
		return cell
	default:
		cell.Outcome, cell.Why = Failed, strings.ToLower(string(r.Verdict))+": "+r.Error
		return cell
	}
	if r.Echo.Node != dst.Node || (c.To == PodRole && r.Echo.Pod != dst.Pod.Name) {
		cell.Outcome = WrongPeer
		cell.Why = fmt.Sprintf("answered by %s on %s, not %s on %s", r.Echo.Pod, r.Echo.Node, dst.Pod.Name, dst.Node)
		return cell
	}
	if c.NoNAT && cell.Seen != src.IP {
		cell.Outcome = Translated
		cell.Why = fmt.Sprintf("the server saw %s (%s), not %s: %s's traffic is source-NATed", cell.Seen, m.owner(cell.Seen), src.IP, src.Node)
		return cell
	}
	cell.Outcome = OK
	return cell
}

func peerIP(hostPort string) string {
	if i := strings.LastIndex(hostPort, ":"); i >= 0 {
		return strings.Trim(hostPort[:i], "[]")
	}
	return hostPort
}
