package cni

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// affinityBefore is the annotation that keeps, on an agent DaemonSet taken
// off one node, its pod template's affinity from before (JSON, "null" for
// none): the repair puts exactly that back, also after a crashed run.
const affinityBefore = "netconform.io/affinity-before-node-policy"

// policyOffLabel marks the copy of an agent DaemonSet that runs on the one
// node whose enforcement is off.
const policyOffLabel = "netconform.io/policy-off"

// SetNodePolicy runs the agent on node with the flag's Off value, the
// other nodes untouched: the agent DaemonSet is kept off node (a
// nodeAffinity term) and a copy of it runs there with the flag switched.
// Policies made while it is off are not programmed on that node.
func (s FlagSwitch) SetNodePolicy(ctx context.Context, cl *kube.Client, d Detected, node string, enforce bool) error {
	return setAgentOnNode(ctx, cl, d, node, enforce, func(c *corev1.Container) {
		c.Args = append(slices.DeleteFunc(slices.Clone(c.Args), func(a string) bool { return a == s.Flag || strings.HasPrefix(a, s.Flag+"=") }),
			s.Flag+"="+s.Off)
	})
}

// SetNodePolicy takes the engine's agent off node only (enforce false)
// and puts it back: the other CNI keeps routing that node's pods.
func (s EngineSwitch) SetNodePolicy(ctx context.Context, cl *kube.Client, d Detected, node string, enforce bool) error {
	return setAgentOnNode(ctx, cl, d, node, enforce, nil)
}

// setAgentOnNode keeps the agent DaemonSet off node and, when off is not
// nil, runs a copy of it there whose agent container off changes; with
// enforce it removes the copy and restores the DaemonSet's affinity.
func setAgentOnNode(ctx context.Context, cl *kube.Client, d Detected, node string, enforce bool, off func(*corev1.Container)) error {
	dss := cl.Clientset.AppsV1().DaemonSets(d.Namespace)
	ds, err := dss.Get(ctx, d.DaemonSet, metav1.GetOptions{})
	if err != nil {
		return err
	}
	copyName := d.DaemonSet + "-policy-off"
	if enforce {
		return restoreAgentOnNode(ctx, cl, d, ds, copyName, node)
	}
	if _, switched := ds.Annotations[affinityBefore]; switched {
		return fmt.Errorf("DaemonSet %s/%s is already kept off a node (annotation %s)", d.Namespace, d.DaemonSet, affinityBefore)
	}
	before, err := json.Marshal(ds.Spec.Template.Spec.Affinity)
	if err != nil {
		return err
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{affinityBefore: string(before)}},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"affinity": excludingNode(ds.Spec.Template.Spec.Affinity, node)}}}})
	if err != nil {
		return err
	}
	if _, err := dss.Patch(ctx, d.DaemonSet, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("keeping DaemonSet %s/%s off node %s: %w", d.Namespace, d.DaemonSet, node, err)
	}
	if err := cl.WaitDaemonSet(ctx, d.Namespace, d.DaemonSet, timeouts.Current.Rollout); err != nil {
		return err
	}
	// The copy shares the agent's host ports: the agent leaves first.
	if err := waitAgentOnNode(ctx, cl, d, node, ""); err != nil || off == nil {
		return err
	}
	if _, err := dss.Create(ctx, policyOffCopy(ds, copyName, node, off), metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("running %s on node %s: %w", copyName, node, err)
	}
	if err := cl.WaitDaemonSet(ctx, d.Namespace, copyName, timeouts.Current.Rollout); err != nil {
		return err
	}
	return waitAgentOnNode(ctx, cl, d, node, copyName)
}

// restoreAgentOnNode undoes setAgentOnNode: the copy goes, the
// DaemonSet's affinity is what it was, and its agent runs on node again.
func restoreAgentOnNode(ctx context.Context, cl *kube.Client, d Detected, ds *appsv1.DaemonSet, copyName, node string) error {
	dss := cl.Clientset.AppsV1().DaemonSets(d.Namespace)
	if err := dss.Delete(ctx, copyName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("removing %s/%s: %w", d.Namespace, copyName, err)
	}
	before, switched := ds.Annotations[affinityBefore]
	if switched {
		var affinity *corev1.Affinity
		if err := json.Unmarshal([]byte(before), &affinity); err != nil {
			return fmt.Errorf("annotation %s of DaemonSet %s/%s: %w", affinityBefore, d.Namespace, d.DaemonSet, err)
		}
		ops := []map[string]any{{"op": "remove", "path": "/metadata/annotations/" + strings.ReplaceAll(affinityBefore, "/", "~1")}}
		if affinity == nil {
			ops = append(ops, map[string]any{"op": "remove", "path": "/spec/template/spec/affinity"})
		} else {
			ops = append(ops, map[string]any{"op": "replace", "path": "/spec/template/spec/affinity", "value": affinity})
		}
		patch, err := json.Marshal(ops)
		if err != nil {
			return err
		}
		if _, err := dss.Patch(ctx, d.DaemonSet, types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("putting DaemonSet %s/%s back on node %s: %w", d.Namespace, d.DaemonSet, node, err)
		}
	}
	if err := cl.WaitDaemonSet(ctx, d.Namespace, d.DaemonSet, timeouts.Current.Rollout); err != nil {
		return err
	}
	return waitAgentOnNode(ctx, cl, d, node, d.DaemonSet)
}

// waitAgentOnNode waits until the only agent pod on node belongs to the
// DaemonSet owner and is ready, or, owner "", until none is left.
func waitAgentOnNode(ctx context.Context, cl *kube.Client, d Detected, node, owner string) error {
	return cl.Poll(ctx, timeouts.Current.Rollout, func() (string, error) {
		pods, err := agentPods(ctx, cl, d, node)
		if err != nil {
			return "", err
		}
		var owners []string
		for _, p := range pods {
			if ref := metav1.GetControllerOf(&p); ref != nil {
				owners = append(owners, ref.Name)
			}
		}
		switch {
		case owner == "" && len(pods) == 0:
			return "", nil
		case len(pods) == 1 && len(owners) == 1 && owners[0] == owner && podReady(pods[0]):
			return "", nil
		}
		return fmt.Sprintf("agent pods on node %s: of %v, want one ready of %q", node, owners, owner), nil
	})
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// excludingNode returns a copy of a pod template's affinity that also
// keeps its pods off node: every required node selector term (they are
// ORed) gets metadata.name NotIn [node].
func excludingNode(a *corev1.Affinity, node string) *corev1.Affinity {
	out := &corev1.Affinity{}
	if a != nil {
		out = a.DeepCopy()
	}
	notOn := corev1.NodeSelectorRequirement{Key: "metadata.name", Operator: corev1.NodeSelectorOpNotIn, Values: []string{node}}
	if out.NodeAffinity == nil {
		out.NodeAffinity = &corev1.NodeAffinity{}
	}
	req := out.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	if req == nil || len(req.NodeSelectorTerms) == 0 {
		out.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{notOn}}}}
		return out
	}
	for i := range req.NodeSelectorTerms {
		req.NodeSelectorTerms[i].MatchFields = append(req.NodeSelectorTerms[i].MatchFields, notOn)
	}
	return out
}

// policyOffCopy is a DaemonSet like ds that runs on node only, its agent
// container changed by off. Its pods keep ds's labels, so the agent on
// node is found as ds's would be, and add one of their own for its
// selector.
func policyOffCopy(ds *appsv1.DaemonSet, name, node string, off func(*corev1.Container)) *appsv1.DaemonSet {
	tmpl := *ds.Spec.Template.DeepCopy()
	tmpl.Labels[policyOffLabel] = "true"
	tmpl.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{
			{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}}}}}
	off(&tmpl.Spec.Containers[0])
	sel := ds.Spec.Selector.DeepCopy()
	if sel.MatchLabels == nil {
		sel.MatchLabels = map[string]string{}
	}
	sel.MatchLabels[policyOffLabel] = "true"
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ds.Namespace, Labels: map[string]string{policyOffLabel: node}},
		Spec:       appsv1.DaemonSetSpec{Selector: sel, Template: tmpl},
	}
}
