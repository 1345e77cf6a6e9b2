package netpol

import "testing"

func TestSpreadPlacesEveryCaseOnceAndBalancesLanes(t *testing.T) {
	lanesOf := spread(policyCases, maxLanes)
	seen := map[string]int{}
	loads := make([]int, len(lanesOf))
	for l, cases := range lanesOf {
		for _, c := range cases {
			seen[c.name]++
			loads[l] += max(c.matrices, 1)
		}
	}
	for _, c := range policyCases {
		if seen[c.name] != 1 {
			t.Errorf("case %q is in %d lanes, want 1", c.name, seen[c.name])
		}
	}
	lo, hi := loads[0], loads[0]
	for _, l := range loads {
		lo, hi = min(lo, l), max(hi, l)
	}
	// Greedy dealing keeps lanes within one costliest case of each other.
	if hi-lo > 4 {
		t.Errorf("lane loads %v: too uneven", loads)
	}
}
