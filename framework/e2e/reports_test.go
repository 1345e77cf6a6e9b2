package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/reach"
	"github.com/netconform/netconform/framework/report"
)

// A failed matrix's tables reach the conformance report through the
// spec's report entries.
func TestConformanceCarriesTheTablesOfAFailedMatrix(t *testing.T) {
	peers := []reach.Peer{{Namespace: "x", Pod: "a"}, {Namespace: "x", Pod: "b"}}
	want, got := reach.NewTable(peers, reach.Allow), reach.NewTable(peers, reach.Allow)
	want.Set(peers[0], peers[1], reach.Deny)
	var m Mismatch
	m.Legend = "x=nc-1-netpol-x"
	m.Add("TCP/8080", want, got)

	entries := types.ReportEntries{}
	for name, value := range map[string]string{
		EntryExpected: m.Legend + "\n" + strings.Join(m.expected, "\n"),
		EntryObserved: m.Legend + "\n" + strings.Join(m.observed, "\n"),
		EntryDiff:     m.Legend + "\n" + strings.Join(m.diff, "\n"),
	} {
		entries = append(entries, types.ReportEntry{Name: name, Value: types.WrapEntryValue(value)})
	}
	r := types.Report{SpecReports: types.SpecReports{{
		LeafNodeType: types.NodeTypeIt, LeafNodeText: "denies", State: types.SpecStateFailed,
		Failure: types.Failure{Message: "observed reachability differs"}, ReportEntries: entries,
	}}}
	spec := conformance(r, "netpol").Specs[0]
	if spec.State != report.Failed {
		t.Fatalf("state %s", spec.State)
	}
	for field, value := range map[string]string{"expected": spec.Expected, "observed": spec.Observed, "diff": spec.Diff} {
		if !strings.Contains(value, "TCP/8080:") || !strings.Contains(value, "x=nc-1-netpol-x") {
			t.Errorf("%s lacks the case or the legend:\n%s", field, value)
		}
	}
	if !strings.Contains(spec.Diff, "1 of 4 cells differ") {
		t.Errorf("diff does not count the differing cell:\n%s", spec.Diff)
	}
}

// A spec's time in the report is its own: the time it waited for the
// cluster's lock is taken out and kept apart.
func TestConformanceCountsASpecsOwnTime(t *testing.T) {
	r := types.Report{SpecReports: types.SpecReports{{
		LeafNodeType: types.NodeTypeIt, LeafNodeText: "names the node pair", State: types.SpecStatePassed,
		RunTime:       66 * time.Second,
		ReportEntries: types.ReportEntries{{Name: EntryWaited, Value: types.WrapEntryValue("62.500")}},
	}}}
	spec := conformance(r, "pods").Specs[0]
	if spec.Seconds != 3.5 || spec.WaitedSeconds != 62.5 {
		t.Errorf("seconds %v, waited %v: want 3.5 and 62.5", spec.Seconds, spec.WaitedSeconds)
	}
}

// A differing cell must be placeable on its two nodes from the failure.
func TestTopologyLegendPlacesEveryPodOnItsNode(t *testing.T) {
	pod := func(ns, name, node string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: corev1.PodSpec{NodeName: node}}
	}
	top := &Topology{
		NS:         map[string]string{"x": "nc-1-x-abc", "y": "nc-1-y-def"},
		namespaces: []string{"x", "y"},
		Pods: []*corev1.Pod{
			pod("nc-1-x-abc", "a", "w2"), pod("nc-1-x-abc", "b", "w1"),
			pod("nc-1-y-def", "a", "w2"), pod("nc-1-y-def", "b", "w1"),
		},
	}
	want := "x=nc-1-x-abc y=nc-1-y-def; on node w1: x/b y/b; on node w2: x/a y/a"
	if got := top.legend(); got != want {
		t.Errorf("legend\n %q\nwant\n %q", got, want)
	}
}
