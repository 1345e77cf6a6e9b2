package e2e

import (
	"errors"
	"strings"
	"testing"

	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/reach"
)

func TestNodeHeadlineNamesTheNodeOnlyOnceItsAgentShowsTheFault(t *testing.T) {
	v := reach.NodeVerdict{Node: "worker2", Unenforced: 16}
	fault := cni.NodeFinding{Fault: "kube-router on worker2 runs with --run-firewall=false (pod kube-router-policy-off-x)"}
	got := NodeHeadline(v, "kube-router", fault, true, nil)
	want := "NetworkPolicy not enforced for pods on node worker2: all 16 differing cells have their policed pod there; no cell differs for pods on the other nodes; kube-router on worker2 runs with --run-firewall=false"
	if !strings.HasPrefix(got, want) {
		t.Errorf("confirmed:\n got %s\nwant %s…", got, want)
	}
	for _, c := range []struct {
		name    string
		finding cni.NodeFinding
		checked bool
		err     error
		says    string
	}{
		{"healthy", cni.NodeFinding{Checked: "kube-router on worker2 runs with its firewall on"}, true, nil, "but kube-router on worker2 runs with its firewall on"},
		{"check failed", cni.NodeFinding{}, true, errors.New("exec: timeout"), "checking kube-router's agent there failed: exec: timeout"},
		{"no check", cni.NodeFinding{}, false, nil, "kube-router's descriptor has no check of a node's policy agent"},
	} {
		got := NodeHeadline(v, "kube-router", c.finding, c.checked, c.err)
		if strings.Contains(got, "not enforced for pods on node") || !strings.HasPrefix(got, "the differing cells point to node worker2: all 16") || !strings.Contains(got, c.says) {
			t.Errorf("%s: %s", c.name, got)
		}
	}
	if got := NodeHeadline(reach.NodeVerdict{Unenforced: 3, UnenforcedOn: map[string]int{"a": 2, "b": 1}}, "cilium", cni.NodeFinding{}, false, nil); !strings.HasPrefix(got, "NetworkPolicy not enforced in 3 cell(s)") {
		t.Errorf("no node: %s", got)
	}
}
