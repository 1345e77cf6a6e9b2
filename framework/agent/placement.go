package agent

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Spread places the pods of a topology (the same pod names in each
// namespace) on nodes by construction, not where the scheduler would put
// them: a node whose data path or policy agent fails then fails cells of
// every namespace, and a failure can be read by node.
//
// Pod i of namespace j goes to nodes[(start+i) % len(nodes)], where start
// depends on the namespace and the lane:
//   - as many pods as nodes or more: start is lane+j, so each namespace
//     has a pod on every node (round-robin beyond), and the lanes rotate
//     which pod lands where;
//   - more nodes than pods: each namespace takes the next len(pods)
//     nodes after the previous namespace's, and each lane starts after
//     the nodes of the lanes before it, so the lanes 0, 1, … together
//     cover every node (ceil(nodes / (namespaces × pods)) lanes do).
//
// lane tells topologies apart that run at the same time or one after
// another (a parallel process, a topology's rank). The result maps
// namespace → pod → node; with no nodes it is empty.
func Spread(nodes, namespaces, pods []string, lane int) map[string]map[string]string {
	out := map[string]map[string]string{}
	n := len(nodes)
	if n == 0 {
		return out
	}
	lane = max(lane, 0)
	for j, ns := range namespaces {
		start := lane + j
		if len(pods) < n {
			start = (lane*len(namespaces) + j) * len(pods)
		}
		out[ns] = map[string]string{}
		for i, pod := range pods {
			out[ns][pod] = nodes[(start+i)%n]
		}
	}
	return out
}

// LanesToCover is how many lanes of Spread together put a pod on every
// one of nodes nodes.
func LanesToCover(nodes, namespaces, pods int) int {
	perLane := namespaces * pods
	if nodes == 0 || perLane == 0 {
		return 0
	}
	return (nodes + perLane - 1) / perLane
}

// Unfit says why a test pod placed on node n would not run there ("" when
// it would): a pod pinned by nodeName bypasses the scheduler and, with
// the agent's toleration of every taint, only a node that is not Ready or
// is cordoned cannot host it. Such a node is named, not skipped silently.
func Unfit(n corev1.Node) string {
	if n.Spec.Unschedulable {
		return "cordoned (spec.unschedulable)"
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue {
			return fmt.Sprintf("not Ready (%s: %s)", c.Reason, c.Message)
		}
	}
	return ""
}
