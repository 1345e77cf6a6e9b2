package reach

import (
	"strings"
	"testing"
)

func TestCompareAgreeing(t *testing.T) {
	expected := NewTable([]Peer{xa, xb}, Allow)
	expected.Set(xa, xb, Deny)
	observed := NewTable([]Peer{xa, xb}, Allow)
	observed.Set(xa, xb, Deny)
	ok, report := Compare(expected, observed)
	if !ok {
		t.Fatalf("Compare of equal tables failed:\n%s", report)
	}
	if !strings.Contains(report, "0 of 4 cells differ") {
		t.Errorf("report does not state the count:\n%s", report)
	}
}

func TestCompareReport(t *testing.T) {
	expected := NewTable([]Peer{xa, xb}, Allow)
	observed := NewTable([]Peer{xa, xb}, Allow)
	observed.Set(xa, xb, Deny)
	observed.Set(xb, xa, Inconclusive)
	ok, report := Compare(expected, observed)
	if ok {
		t.Fatalf("Compare passed with two mismatches:\n%s", report)
	}
	want := "" +
		"rows: sources, columns: destinations; . allowed, X denied, * either, ? inconclusive\n" +
		"expected:\n" +
		"    x/a x/b\n" +
		"x/a  .   .\n" +
		"x/b  .   .\n" +
		"observed:\n" +
		"    x/a x/b\n" +
		"x/a  .   X\n" +
		"x/b  ?   .\n" +
		"diff (X differs, . agrees): 2 of 4 cells differ:\n" +
		"    x/a x/b\n" +
		"x/a  .   X\n" +
		"x/b  X   .\n" +
		"  x/a -> x/b: expected Allow (.), observed Deny (X)\n" +
		"  x/b -> x/a: expected Allow (.), observed Inconclusive (?)\n"
	if report != want {
		t.Errorf("report =\n%s\nwant\n%s", report, want)
	}
}

func TestCompareNeverPassesOnInconclusive(t *testing.T) {
	peers := []Peer{xa, xb}
	for _, expected := range []Verdict{Allow, Deny, Inconclusive} {
		ok, report := Compare(NewTable(peers, expected), NewTable(peers, Inconclusive))
		if ok {
			t.Errorf("expected all %s, observed all Inconclusive: Compare passed\n%s", expected.Name(), report)
		}
	}
}

func TestCompareMissingPeersAndTables(t *testing.T) {
	tests := []struct {
		name               string
		expected, observed *Table
		mentions           string
	}{
		{"observed lacks a peer", NewTable([]Peer{xa, xb}, Allow), NewTable([]Peer{xa}, Allow), "observed nothing (peer missing)"},
		{"nil observed", NewTable([]Peer{xa}, Allow), nil, "observed nothing (peer missing)"},
		{"nil expected", nil, NewTable([]Peer{xa}, Allow), "expected nothing (peer missing)"},
		{"no cells at all", NewTable(nil, Allow), NewTable(nil, Allow), "0 of 0 cells differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, report := Compare(tt.expected, tt.observed)
			if ok {
				t.Errorf("Compare passed:\n%s", report)
			}
			if !strings.Contains(report, tt.mentions) {
				t.Errorf("report lacks %q:\n%s", tt.mentions, report)
			}
		})
	}
}

func TestCompareListsAtMostTwentyMismatches(t *testing.T) {
	var peers []Peer
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		peers = append(peers, Peer{Namespace: "x", Pod: name})
	}
	ok, report := Compare(NewTable(peers, Allow), NewTable(peers, Deny))
	if ok {
		t.Fatal("Compare passed on 25 mismatches")
	}
	if got := strings.Count(report, ": expected Allow"); got != maxListedMismatches {
		t.Errorf("listed %d mismatches, want %d", got, maxListedMismatches)
	}
	if !strings.Contains(report, "25 of 25 cells differ") || !strings.HasSuffix(report, "  ...\n") {
		t.Errorf("report does not say how many differ or that the list is cut:\n%s", report)
	}
}
