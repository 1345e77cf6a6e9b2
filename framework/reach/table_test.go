package reach

import (
	"strings"
	"testing"
)

var (
	xa = Peer{Namespace: "x", Pod: "a"}
	xb = Peer{Namespace: "x", Pod: "b"}
	ya = Peer{Namespace: "y", Pod: "a"}
)

func TestPeerString(t *testing.T) {
	if got := xa.String(); got != "x/a" {
		t.Errorf("pod peer = %q, want x/a", got)
	}
	if got := (Peer{Pod: "ext"}).String(); got != "ext" {
		t.Errorf("non-pod peer = %q, want ext", got)
	}
}

func TestCaseString(t *testing.T) {
	tests := []struct {
		c    Case
		want string
	}{
		{Case{Port: 80}, "TCP/80"},
		{Case{Port: 53, Protocol: udp}, "UDP/53"},
		{Case{Port: 80, IPFamily: "IPv6"}, "TCP/80 IPv6"},
		{Case{Name: "web", Port: 80}, "web"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestTableSetGetAndFill(t *testing.T) {
	table := NewTable([]Peer{xa, xb, xa}, Deny)
	if got := table.Peers(); len(got) != 2 || got[0] != xa || got[1] != xb {
		t.Fatalf("Peers() = %v, want [x/a x/b] (duplicates dropped, order kept)", got)
	}
	table.Set(xa, xb, Allow)
	table.Set(xb, xa, Inconclusive)
	tests := []struct {
		from, to Peer
		want     Verdict
	}{
		{xa, xa, Deny},
		{xa, xb, Allow},
		{xb, xa, Inconclusive},
		{xb, xb, Deny},
	}
	for _, tt := range tests {
		if got := table.Get(tt.from, tt.to); got != tt.want {
			t.Errorf("Get(%s, %s) = %s, want %s", tt.from, tt.to, got.Name(), tt.want.Name())
		}
	}
	if !table.Has(xa) || table.Has(ya) {
		t.Errorf("Has: x/a %v (want true), y/a %v (want false)", table.Has(xa), table.Has(ya))
	}
}

func TestTableUnknownPeerPanics(t *testing.T) {
	table := NewTable([]Peer{xa}, Allow)
	for name, access := range map[string]func(){
		"Get": func() { table.Get(xa, ya) },
		"Set": func() { table.Set(ya, xa, Deny) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), "y/a") {
					t.Errorf("panic = %v, want one naming y/a", r)
				}
			}()
			access()
		})
	}
}

func TestTableString(t *testing.T) {
	table := NewTable([]Peer{xa, xb, ya}, Allow)
	table.Set(xa, xb, Deny)
	table.Set(xb, ya, Inconclusive)
	want := "" +
		"    x/a x/b y/a\n" +
		"x/a  .   X   .\n" +
		"x/b  .   .   ?\n" +
		"y/a  .   .   .\n"
	if got := table.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func TestTableStringAlignsMixedWidths(t *testing.T) {
	long := Peer{Namespace: "netpol-x", Pod: "server"}
	ext := Peer{Pod: "ext"}
	table := NewTable([]Peer{long, ext}, Deny)
	table.Set(ext, long, Allow)
	want := "" +
		"                netpol-x/server ext\n" +
		"netpol-x/server        X         X\n" +
		"ext                    .         X\n"
	if got := table.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if got := NewTable(nil, Allow).String(); got != "(no peers)\n" {
		t.Errorf("empty table String() = %q", got)
	}
}

func TestTableEqualAndDiff(t *testing.T) {
	peers := []Peer{xa, xb}
	base := func() *Table { return NewTable(peers, Allow) }
	withCell := func(from, to Peer, v Verdict) *Table {
		table := base()
		table.Set(from, to, v)
		return table
	}
	tests := []struct {
		name        string
		a, b        *Table
		differences int
	}{
		{"identical", base(), base(), 0},
		{"one allow versus deny", base(), withCell(xa, xb, Deny), 1},
		{"inconclusive never matches allow", base(), withCell(xb, xa, Inconclusive), 1},
		{"inconclusive never matches deny", NewTable(peers, Deny), NewTable(peers, Inconclusive), 4},
		{"inconclusive never matches inconclusive", NewTable(peers, Inconclusive), NewTable(peers, Inconclusive), 4},
		// The union is x/a, x/b, y/a: the five cells involving y/a exist
		// only on one side.
		{"extra peer", base(), NewTable([]Peer{xa, xb, ya}, Allow), 5},
		{"nil other", base(), nil, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff, differences := tt.a.Diff(tt.b)
			if differences != tt.differences {
				t.Errorf("Diff count = %d, want %d\n%s", differences, tt.differences, diff)
			}
			if equal := tt.a.Equal(tt.b); equal != (tt.differences == 0) {
				t.Errorf("Equal = %v with %d differences", equal, tt.differences)
			}
		})
	}
}

func TestDiffMarksDisagreeingCells(t *testing.T) {
	expected := NewTable([]Peer{xa, xb}, Allow)
	observed := NewTable([]Peer{xa, xb}, Allow)
	observed.Set(xa, xb, Deny)
	observed.Set(xb, xb, Inconclusive)
	diff, _ := expected.Diff(observed)
	want := "" +
		"    x/a x/b\n" +
		"x/a  .   X\n" +
		"x/b  .   X\n"
	if got := diff.String(); got != want {
		t.Errorf("diff =\n%s\nwant\n%s", got, want)
	}
}
