package cni

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/kube"
)

// Endpoint is one side of a flow: a pod, its address and its node.
type Endpoint struct {
	Namespace, Pod, IP, Node string
}

func (e Endpoint) String() string {
	return fmt.Sprintf("%s/%s (%s on %s)", e.Namespace, e.Pod, e.IP, e.Node)
}

// Flow is a cell of a reachability matrix that did not come out as the
// policies demand: what was expected and seen, from Src to Dst.
type Flow struct {
	What               string // the case it belongs to
	Src, Dst           Endpoint
	Expected, Observed string // the tables' symbols: "." allowed, "X" denied
}

// DiagnosePolicy asks the detected CNI, when its descriptor knows how,
// what it makes of flows that did not match the policies ("" when it has
// nothing to say). It never fails: what it cannot learn, it says.
func DiagnosePolicy(ctx context.Context, cl *kube.Client, d Detected, flows []Flow) string {
	desc, ok := descriptors[d.Name]
	if !ok || desc.DiagnosePolicy == nil || len(flows) == 0 {
		return ""
	}
	return desc.DiagnosePolicy(ctx, cl, d, flows)
}

// DiagnoseNodePolicy asks the detected CNI's agent on node, when its
// descriptor knows how, whether it enforces NetworkPolicy there. ok is
// false when the descriptor has no such check.
func DiagnoseNodePolicy(ctx context.Context, cl *kube.Client, d Detected, node string) (f NodeFinding, ok bool, err error) {
	desc, known := descriptors[d.Name]
	if !known || desc.DiagnoseNodePolicy == nil {
		return NodeFinding{}, false, nil
	}
	f, err = desc.DiagnoseNodePolicy(ctx, cl, d, node)
	return f, true, err
}

// agentPod is the CNI's agent pod on node.
func agentPod(ctx context.Context, cl *kube.Client, d Detected, node string) (corev1.Pod, error) {
	pods, err := agentPods(ctx, cl, d, node)
	if err != nil {
		return corev1.Pod{}, err
	}
	if len(pods) == 0 {
		return corev1.Pod{}, fmt.Errorf("no pod of DaemonSet %s/%s on node %s", d.Namespace, d.DaemonSet, node)
	}
	return pods[0], nil
}

// agentPods lists the CNI's agent pods (the detected DaemonSet's) that are
// not being deleted, on node only unless node is "".
func agentPods(ctx context.Context, cl *kube.Client, d Detected, node string) ([]corev1.Pod, error) {
	ds, err := cl.Clientset.AppsV1().DaemonSets(d.Namespace).Get(ctx, d.DaemonSet, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return nil, err
	}
	opts := metav1.ListOptions{LabelSelector: sel.String()}
	if node != "" {
		opts.FieldSelector = "spec.nodeName=" + node
	}
	pods, err := cl.Clientset.CoreV1().Pods(d.Namespace).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(pods.Items, func(p corev1.Pod) bool { return p.DeletionTimestamp != nil }), nil
}
