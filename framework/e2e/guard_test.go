package e2e

import "testing"

func TestDisruptiveSelected(t *testing.T) {
	for _, c := range []struct {
		filter  string
		enabled bool
		want    bool
	}{
		{"", false, false},
		{"!Disruptive", false, false},
		{"Disruptive", false, true},
		{"Disruptive || Conformance", false, true},
		{"dns", false, false},
		{"", true, true},
		{"dns", true, false}, // a spec labelled only Disruptive is not in dns: the spec-level check covers it
	} {
		if got := disruptiveSelected(c.filter, c.enabled); got != c.want {
			t.Errorf("disruptiveSelected(%q, %v) = %v, want %v", c.filter, c.enabled, got, c.want)
		}
	}
}
