// Package preflight checks, before any spec runs, that the cluster under
// test can run them at all, and says precisely why not: API server
// unreachable, a permission of the least-privilege role missing (package
// rbac), nodes NotReady, no CNI, namespaces not creatable (RBAC or
// admission), the agent image not pullable. It also detects the cluster's
// feature set (package feature), probing from its agent pod.
package preflight

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
	"github.com/netconform/netconform/framework/timeouts"
)

// Result is what preflight learnt.
type Result struct {
	Nodes    int
	CNI      cni.Detected
	Features feature.Set
}

// Options tune the checks.
type Options struct {
	// RunID labels the namespace of the agent check.
	RunID string
	// AgentImage overrides the agent image (registry remap).
	AgentImage string
	// Disruptive also checks the permissions of the Disruptive specs.
	Disruptive bool
}

// Run checks the cluster. The client must come from kube.Open, which has
// already proved the API server answers.
func Run(ctx context.Context, cl *kube.Client, opts Options) (Result, error) {
	var res Result
	if err := Permissions(ctx, cl, opts.Disruptive); err != nil {
		return res, err
	}
	bad, total, err := cl.NotReadyNodes(ctx)
	if err != nil {
		return res, fmt.Errorf("listing nodes: %w", err)
	}
	res.Nodes = total
	if total == 0 {
		return res, fmt.Errorf("the cluster has no nodes")
	}
	if len(bad) > 0 {
		return res, fmt.Errorf("%d of %d nodes are not Ready: %s", len(bad), total, strings.Join(bad, "; "))
	}
	if res.CNI, err = cni.Detect(ctx, cl.Clientset); err != nil {
		return res, err
	}
	if res.CNI.Name != cni.Unknown && !res.CNI.Healthy() {
		// An agent may be restarting (a Disruptive spec's repair, a
		// readiness probe that missed under load): wait a little, then
		// name the agents that are not ready.
		if err := cl.WaitDaemonSet(ctx, res.CNI.Namespace, res.CNI.DaemonSet, timeouts.Current.CNIReady); err != nil {
			return res, fmt.Errorf("CNI %s is not healthy: %w", res.CNI, err)
		}
		if res.CNI, err = cni.Detect(ctx, cl.Clientset); err != nil {
			return res, err
		}
	}
	// A cluster without any CNI has no Ready node (NetworkReady=false), so
	// an unknown CNI with Ready nodes is some plugin we do not recognise.

	created := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "nc-preflight-",
		Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}}}
	if err := cl.CreateLabelled(ctx, created, opts.RunID); err != nil {
		return res, fmt.Errorf("cannot create test namespaces (the suites need create/delete on namespaces and on pods, services, networkpolicies in them): %w", err)
	}
	defer cl.Clientset.CoreV1().Namespaces().Delete(context.WithoutCancel(ctx), created.Name, metav1.DeleteOptions{})
	var podOpts []agent.PodOption
	if opts.AgentImage != "" {
		podOpts = append(podOpts, agent.WithImage(opts.AgentImage))
	}
	pod := agent.Pod("preflight", created.Name, podOpts...)
	if err := createPod(ctx, cl, pod, opts.RunID); err != nil {
		return res, fmt.Errorf("cannot create a test pod: %w", err)
	}
	ready, err := waitAgent(ctx, cl, created.Name, pod.Name)
	if err != nil {
		return res, err
	}
	// The agent pod is up: the one probe the kernel detector needs costs
	// one exec here, instead of pods of its own in some spec.
	agent := &feature.Agent{Node: ready.Spec.NodeName, Echo: net.JoinHostPort(ready.Status.PodIP, strconv.Itoa(agent.Port)),
		Run: func(ctx context.Context, b probe.Batch) (probe.BatchResult, error) {
			return remote.Run(ctx, cl, remote.Pod{Namespace: ready.Namespace, Name: ready.Name, Container: agent.Container}, b)
		}}
	res.Features, err = feature.Detect(ctx, feature.Input{Client: cl.Clientset, Profile: cni.ProfileFor(res.CNI), Agent: agent})
	return res, err
}

// createPod creates the pod, waiting (within PreflightAgent) for the new
// namespace's default ServiceAccount, which its controller creates a
// moment after the namespace: until then admission refuses every pod
// (seen on a freshly restarted API server).
func createPod(ctx context.Context, cl *kube.Client, pod *corev1.Pod, runID string) error {
	ctx, cancel := context.WithTimeout(ctx, timeouts.Current.PreflightAgent)
	defer cancel()
	for {
		err := cl.CreateLabelled(ctx, pod, runID)
		if err == nil || !strings.Contains(err.Error(), "serviceaccount \"default\" not found") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(timeouts.Current.Poll):
		}
	}
}

// waitAgent waits for the agent pod, failing early on an image that cannot
// be pulled rather than after the whole timeout: at the first pull error,
// or when a pull has not answered within PreflightPull (a registry that
// drops packets makes containerd wait on its own, longer, dial timeout).
func waitAgent(ctx context.Context, cl *kube.Client, ns, name string) (*corev1.Pod, error) {
	ctx, cancel := context.WithTimeout(ctx, timeouts.Current.PreflightAgent)
	defer cancel()
	state := "not created"
	start := time.Now()
	for {
		p, err := cl.Clientset.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			if kube.PodReady(p) {
				return p, nil
			}
			state = kube.PodState(p)
			if err := pullFailure(ctx, cl, p, time.Since(start)); err != nil {
				return nil, err
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the agent pod did not become Ready within %s: %s", timeouts.Current.PreflightAgent, state)
		case <-time.After(timeouts.Current.Repeat):
		}
	}
}

// pullFailure is the error of an agent pod whose image cannot be pulled,
// naming the image, its node and the pull's own error; nil while the pull
// may still succeed.
func pullFailure(ctx context.Context, cl *kube.Client, p *corev1.Pod, waited time.Duration) error {
	hint := "load it into the nodes, or push it to a registry they reach (netconform images push --registry R) and pass -image-registry R"
	for _, cs := range p.Status.ContainerStatuses {
		w := cs.State.Waiting
		if w == nil {
			continue
		}
		switch w.Reason {
		case "ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName":
			msg := w.Message
			// A back-off's message is only "Back-off pulling image …":
			// the pull's error is in the pod's last Failed event.
			if ev := lastEvent(ctx, cl, p, "Failed"); ev != "" && w.Reason == "ImagePullBackOff" {
				msg = ev
			}
			return fmt.Errorf("the agent image %s cannot be pulled on node %s (%s: %s); %s", cs.Image, p.Spec.NodeName, w.Reason, msg, hint)
		case "ContainerCreating":
			if waited < timeouts.Current.PreflightPull {
				continue
			}
			if pulling := lastEvent(ctx, cl, p, "Pulling"); pulling != "" && lastEvent(ctx, cl, p, "Pulled") == "" {
				return fmt.Errorf("the agent image %s is not pulled on node %s after %s: the registry does not answer (%s); %s",
					cs.Image, p.Spec.NodeName, timeouts.Current.PreflightPull, pulling, hint)
			}
		}
	}
	return nil
}

// lastEvent is the message of the pod's latest event with that reason, or "".
func lastEvent(ctx context.Context, cl *kube.Client, p *corev1.Pod, reason string) string {
	evs, err := cl.Clientset.CoreV1().Events(p.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Pod,involvedObject.name=" + p.Name + ",reason=" + reason})
	if err != nil {
		return ""
	}
	var last *corev1.Event
	for i := range evs.Items {
		e := &evs.Items[i]
		if e.Reason != reason || e.InvolvedObject.Name != p.Name {
			continue // field selectors are a server's courtesy, not every client's
		}
		if last == nil || eventTime(e).After(eventTime(last)) {
			last = e
		}
	}
	if last == nil {
		return ""
	}
	return last.Message
}

func eventTime(e *corev1.Event) time.Time {
	for _, t := range []time.Time{e.LastTimestamp.Time, e.EventTime.Time, e.FirstTimestamp.Time, e.CreationTimestamp.Time} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
