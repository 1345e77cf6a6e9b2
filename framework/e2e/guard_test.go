package e2e

import (
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

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

// Disruptive specs are not Serial (see disruptiveInParallel): a parallel
// run that takes them must stop before anything breaks.
func TestDisruptiveSpecsRefuseParallelRuns(t *testing.T) {
	for _, c := range []struct {
		selected bool
		procs    int
		refused  bool
	}{{true, 1, false}, {true, 2, true}, {false, 4, false}, {true, 0, false}} {
		why := disruptiveInParallel(c.selected, types.SuiteConfig{ParallelTotal: c.procs})
		if (why != "") != c.refused {
			t.Errorf("selected %v, %d processes: %q", c.selected, c.procs, why)
		}
		if c.refused && !strings.Contains(why, "without -p") {
			t.Errorf("the refusal does not say what to do: %q", why)
		}
	}
}
