package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/netconform/netconform/framework/timeouts"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
)

// NotReadyNodes names the nodes whose Ready condition is not True, with the
// reason the kubelet gives.
func (c *Client) NotReadyNodes(ctx context.Context) ([]string, int, error) {
	nodes, err := c.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, 0, err
	}
	var bad []string
	for _, n := range nodes.Items {
		if ok, why := nodeReady(n); !ok {
			bad = append(bad, fmt.Sprintf("%s (%s)", n.Name, why))
		}
	}
	sort.Strings(bad)
	return bad, len(nodes.Items), nil
}

func nodeReady(n corev1.Node) (bool, string) {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			if c.Status == corev1.ConditionTrue {
				return true, ""
			}
			return false, strings.TrimSpace(c.Reason + ": " + c.Message)
		}
	}
	return false, "no Ready condition yet"
}

// WaitNodesReady waits until there are want nodes (at least one when want
// is 0) and all are Ready; the error names the ones that are not.
func (c *Client) WaitNodesReady(ctx context.Context, want int, timeout time.Duration) error {
	return c.Poll(ctx, timeout, func() (string, error) {
		bad, total, err := c.NotReadyNodes(ctx)
		switch {
		case err != nil:
			return "", err
		case total == 0 || total < want:
			return fmt.Sprintf("%d of %d nodes registered", total, want), nil
		case len(bad) > 0:
			return "not Ready: " + strings.Join(bad, ", "), nil
		}
		return "", nil
	})
}

// WaitDaemonSet waits until every scheduled pod of a DaemonSet is ready and updated.
func (c *Client) WaitDaemonSet(ctx context.Context, namespace, name string, timeout time.Duration) error {
	return c.Poll(ctx, timeout, func() (string, error) {
		ds, err := c.Clientset.AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return "DaemonSet " + namespace + "/" + name + ": " + err.Error(), nil
		}
		s := ds.Status
		if s.ObservedGeneration < ds.Generation {
			// The status still describes the previous template: a rollout
			// just asked for has not begun.
			return fmt.Sprintf("DaemonSet %s/%s: generation %d not yet observed", namespace, name, ds.Generation), nil
		}
		if s.DesiredNumberScheduled == 0 || s.NumberReady < s.DesiredNumberScheduled || s.UpdatedNumberScheduled < s.DesiredNumberScheduled ||
			s.NumberAvailable < s.DesiredNumberScheduled {
			return fmt.Sprintf("DaemonSet %s/%s: %d of %d pods ready%s", namespace, name, s.NumberReady, s.DesiredNumberScheduled,
				c.podsNotReady(ctx, namespace, ds.Spec.Selector)), nil
		}
		return "", nil
	})
}

// WaitDaemonSetDrained waits until a DaemonSet schedules no pod and none
// of its pods is left.
func (c *Client) WaitDaemonSetDrained(ctx context.Context, namespace, name string, timeout time.Duration) error {
	return c.Poll(ctx, timeout, func() (string, error) {
		ds, err := c.Clientset.AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return "DaemonSet " + namespace + "/" + name + ": " + err.Error(), nil
		}
		pods, err := c.selected(ctx, namespace, ds.Spec.Selector)
		if err != nil {
			return "listing the pods of DaemonSet " + namespace + "/" + name + ": " + err.Error(), nil
		}
		if ds.Status.ObservedGeneration < ds.Generation || ds.Status.DesiredNumberScheduled > 0 || len(pods) > 0 {
			return fmt.Sprintf("DaemonSet %s/%s: %d pods scheduled, %d left", namespace, name, ds.Status.DesiredNumberScheduled, len(pods)), nil
		}
		return "", nil
	})
}

// podsNotReady names the pods a selector picks that are not ready, each
// with its node and why (", not ready: a on n1 (ErrImagePull: …)"), or
// says nothing when it cannot tell.
func (c *Client) podsNotReady(ctx context.Context, namespace string, selector *metav1.LabelSelector) string {
	pods, err := c.selected(ctx, namespace, selector)
	if err != nil {
		return ""
	}
	var out []string
	for i := range pods {
		if p := &pods[i]; !PodReady(p) {
			out = append(out, fmt.Sprintf("%s on %s (%s)", p.Name, p.Spec.NodeName, PodState(p)))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return ", not ready: " + strings.Join(out, "; ")
}

// WaitDeployment waits until a Deployment has all its replicas available.
func (c *Client) WaitDeployment(ctx context.Context, namespace, name string, timeout time.Duration) error {
	return c.Poll(ctx, timeout, func() (string, error) {
		d, err := c.Clientset.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return "Deployment " + namespace + "/" + name + ": " + err.Error(), nil
		}
		if !deploymentAvailable(d) {
			return fmt.Sprintf("Deployment %s/%s: %d of %d replicas available, %d of %d pods on the current template", namespace, name,
				d.Status.AvailableReplicas, replicas(d), d.Status.UpdatedReplicas, d.Status.Replicas), nil
		}
		return "", nil
	})
}

func replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

// deploymentAvailable: every replica runs the current template and is
// available, and no pod of an older template is left (during a rollout the
// old pods count as available next to the new, not yet ready, ones).
func deploymentAvailable(d *appsv1.Deployment) bool {
	return d.Status.ObservedGeneration >= d.Generation && d.Status.AvailableReplicas >= replicas(d) && d.Status.UpdatedReplicas >= replicas(d) &&
		d.Status.Replicas <= d.Status.UpdatedReplicas
}

// Poll calls check every poll interval until it reports nothing pending;
// on timeout the error carries the last pending state, which is what a
// user needs to see.
func (c *Client) Poll(ctx context.Context, timeout time.Duration, check func() (pending string, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(timeouts.Current.Poll)
	defer tick.Stop()
	last := ""
	for {
		pending, err := check()
		if err == nil && pending == "" {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = pending
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s: %s", timeout, last)
		case <-tick.C:
		}
	}
}

// pending says where a pod that is not Ready stands.
func pending(p *corev1.Pod) string {
	return fmt.Sprintf("pod %s/%s on %s: %s", p.Namespace, p.Name, p.Spec.NodeName, PodState(p))
}

// watchReady follows a pod's watch until the pod is Ready (returned), the
// watch ends or ctx is done; state is the last state seen.
func watchReady(ctx context.Context, w watch.Interface) (ready *corev1.Pod, state string) {
	for {
		select {
		case <-ctx.Done():
			return nil, state
		case ev, open := <-w.ResultChan():
			if !open {
				return nil, state
			}
			p, ok := ev.Object.(*corev1.Pod)
			if !ok || ev.Type == watch.Deleted {
				continue // a watch error or a deleted pod: Get tells
			}
			if PodReady(p) {
				return p, ""
			}
			state = pending(p)
		}
	}
}

// WaitPodReady waits until a pod is Ready and returns it. It watches the
// pod rather than polling it: a run starts dozens of pods at once, and
// each wait then costs the API server one watch, not a GET every tick.
func (c *Client) WaitPodReady(ctx context.Context, namespace, name string, timeout time.Duration) (*corev1.Pod, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pods := c.Clientset.CoreV1().Pods(namespace)
	last := "pod " + namespace + "/" + name + " not seen yet"
	for {
		version := ""
		p, err := pods.Get(ctx, name, metav1.GetOptions{})
		switch {
		case err == nil && PodReady(p):
			return p, nil
		case err == nil:
			last, version = pending(p), p.ResourceVersion
		case ctx.Err() == nil:
			last = "pod " + namespace + "/" + name + ": " + err.Error()
		}
		if ctx.Err() == nil {
			w, err := pods.Watch(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String(), ResourceVersion: version})
			if err == nil {
				p, state := watchReady(ctx, w)
				w.Stop()
				if p != nil {
					return p, nil
				}
				if state != "" {
					last = state
				}
			}
		}
		// The watch ended (server timeout, expired version, error): look
		// again after a pause, unless time is up.
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("not ready after %s: %s", timeout, last)
		case <-time.After(timeouts.Current.Poll):
		}
	}
}

// selected lists the pods of namespace a workload's selector picks.
func (c *Client) selected(ctx context.Context, namespace string, selector *metav1.LabelSelector) ([]corev1.Pod, error) {
	sel, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return nil, err
	}
	pods, err := c.Clientset.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, err
	}
	return pods.Items, nil
}
