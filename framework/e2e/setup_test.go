package e2e

import "testing"

func TestWithDisruptive(t *testing.T) {
	for _, c := range []struct {
		filter  string
		enabled bool
		want    string
	}{
		{"", false, "!Disruptive"},
		{"dns", false, "(dns) && !Disruptive"},
		{"Disruptive", false, "Disruptive"},
		{"!Disruptive && pods", false, "!Disruptive && pods"},
		{"", true, ""},
		{"netpol", true, "netpol"},
	} {
		if got := withDisruptive(c.filter, c.enabled); got != c.want {
			t.Errorf("withDisruptive(%q, %v) = %q, want %q", c.filter, c.enabled, got, c.want)
		}
	}
}
