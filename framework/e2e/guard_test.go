package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/netconform/netconform/framework/feature"
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
// run that takes them needs the cluster's file lock, and where there is
// none it must stop before anything breaks.
func TestDisruptiveSpecsInParallelRunsNeedTheLock(t *testing.T) {
	for _, c := range []struct {
		selected, lockable bool
		procs              int
		refused            bool
	}{
		{true, false, 1, false}, {true, false, 2, true}, {false, false, 4, false}, {true, false, 0, false},
		{true, true, 3, false}, {true, true, 1, false},
	} {
		why := disruptiveInParallel(c.selected, types.SuiteConfig{ParallelTotal: c.procs}, c.lockable)
		if (why != "") != c.refused {
			t.Errorf("selected %v, lockable %v, %d processes: %q", c.selected, c.lockable, c.procs, why)
		}
		if c.refused && !strings.Contains(why, "without -p") {
			t.Errorf("the refusal does not say what to do: %q", why)
		}
	}
}

func TestConfinedScope(t *testing.T) {
	for labels, want := range map[string]string{
		"Disruptive ingress":                      "",
		"Disruptive Confined:ingress-traefik dns": "ingress-traefik",
		"": "",
	} {
		if got := confinedScope(strings.Fields(labels)); got != want {
			t.Errorf("confinedScope(%s) = %q, want %q", labels, got, want)
		}
	}
	if got := confinedScope(Confined("coredns")); got != "coredns" {
		t.Errorf("Confined(coredns) gives scope %q", got)
	}
}

// A Disruptive spec is reported NotSupported before it waits for its turn
// from its Feature labels: the registered ones, nothing else.
func TestLabelledFeatures(t *testing.T) {
	got := labelledFeatures([]string{"pods", Disruptive, FeatureNodeRoutes, "Feature:NoSuchThing", FeatureHostNetwork, "Confined:pod-mesh"})
	if want := []feature.Feature{feature.NodeRoutes, feature.HostNetwork}; !slices.Equal(got, want) {
		t.Errorf("labelledFeatures = %v, want %v", got, want)
	}
	if got := labelledFeatures([]string{"dns", Disruptive}); len(got) != 0 {
		t.Errorf("no Feature label, yet %v", got)
	}
}
