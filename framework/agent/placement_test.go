package agent

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func nodeNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("node%02d", i)
	}
	return out
}

var (
	topologyNamespaces = []string{"x", "y", "z"}
	topologyPods       = []string{"a", "b", "c"}
)

// nodesOf is the set of nodes a namespace's pods run on.
func nodesOf(placed map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, node := range placed {
		out[node] = true
	}
	return out
}

func TestSpreadPutsEveryNamespaceOnEveryNodeWhenPodsSuffice(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		for lane := range 4 {
			nodes := nodeNames(n)
			got := Spread(nodes, topologyNamespaces, topologyPods, lane)
			for _, ns := range topologyNamespaces {
				if covered := nodesOf(got[ns]); len(covered) != n {
					t.Errorf("%d nodes, lane %d: namespace %s is on %v, not on all %d nodes", n, lane, ns, slices.Sorted(maps.Keys(covered)), n)
				}
			}
		}
	}
}

func TestSpreadOnThreeNodesPutsEachNamespacesPodsOnThreeNodes(t *testing.T) {
	got := Spread(nodeNames(3), topologyNamespaces, topologyPods, 0)
	for _, ns := range topologyNamespaces {
		a, b, c := got[ns]["a"], got[ns]["b"], got[ns]["c"]
		if a == b || b == c || a == c {
			t.Errorf("namespace %s: a on %s, b on %s, c on %s; want three different nodes", ns, a, b, c)
		}
	}
}

func TestSpreadLanesTogetherCoverEveryNode(t *testing.T) {
	for _, n := range []int{4, 9, 10, 20} {
		nodes := nodeNames(n)
		lanes := LanesToCover(n, len(topologyNamespaces), len(topologyPods))
		covered := map[string]bool{}
		for lane := range lanes {
			for _, placed := range Spread(nodes, topologyNamespaces, topologyPods, lane) {
				maps.Copy(covered, nodesOf(placed))
			}
		}
		if len(covered) != n {
			t.Errorf("%d nodes: %d lanes cover %d nodes", n, lanes, len(covered))
		}
	}
}

func TestSpreadOnFourNodesCoversEveryNodeInOneTopology(t *testing.T) {
	nodes := nodeNames(4)
	covered := map[string]bool{}
	got := Spread(nodes, topologyNamespaces, topologyPods, 0)
	for _, ns := range topologyNamespaces {
		placed := nodesOf(got[ns])
		if len(placed) != 3 {
			t.Errorf("namespace %s is on %d nodes, want 3 (one per pod)", ns, len(placed))
		}
		maps.Copy(covered, placed)
	}
	if len(covered) != 4 {
		t.Errorf("one topology covers %v of 4 nodes", slices.Sorted(maps.Keys(covered)))
	}
}

func TestSpreadRoundRobinsMorePodsThanNodes(t *testing.T) {
	got := Spread(nodeNames(2), []string{"x"}, []string{"a", "b", "c", "d"}, 0)
	perNode := map[string]int{}
	for _, node := range got["x"] {
		perNode[node]++
	}
	if perNode["node00"] != 2 || perNode["node01"] != 2 {
		t.Errorf("4 pods on 2 nodes: %v, want 2 each", perNode)
	}
}

func TestSpreadWithoutNodesPlacesNothing(t *testing.T) {
	if got := Spread(nil, topologyNamespaces, topologyPods, 0); len(got) != 0 {
		t.Errorf("no nodes: %v", got)
	}
}

func TestUnfitNamesCordonedAndNotReadyNodes(t *testing.T) {
	ready := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue}
	notReady := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletNotReady", Message: "container runtime is down"}
	tainted := corev1.Node{Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{ready}}}
	if why := Unfit(tainted); why != "" {
		t.Errorf("a tainted, Ready node is unfit: %s", why)
	}
	cordoned := corev1.Node{Spec: corev1.NodeSpec{Unschedulable: true}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{ready}}}
	if why := Unfit(cordoned); !strings.Contains(why, "cordoned") {
		t.Errorf("cordoned node: %q", why)
	}
	down := corev1.Node{Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{notReady}}}
	if why := Unfit(down); !strings.Contains(why, "container runtime is down") {
		t.Errorf("not Ready node: %q", why)
	}
}
