package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func daemonSet(generation, observed int64, desired, updated, ready int32) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "agent", Generation: generation},
		Status: appsv1.DaemonSetStatus{ObservedGeneration: observed, DesiredNumberScheduled: desired,
			UpdatedNumberScheduled: updated, NumberReady: ready, NumberAvailable: ready},
	}
}

func TestWaitDaemonSet(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ds      *appsv1.DaemonSet
		pending string // "" when ready
	}{
		{"rolled out", daemonSet(2, 2, 3, 3, 3), ""},
		// Right after a template change the status is the old one, all
		// ready: that is not a finished rollout.
		{"new generation not observed", daemonSet(3, 2, 3, 3, 3), "generation 3 not yet observed"},
		{"pods not updated", daemonSet(3, 3, 3, 1, 3), "3 of 3 pods ready"},
		{"pods not ready", daemonSet(3, 3, 3, 3, 2), "2 of 3 pods ready"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{Clientset: fake.NewClientset(tc.ds)}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := c.WaitDaemonSet(ctx, "kube-system", "agent", 300*time.Millisecond)
			switch {
			case tc.pending == "" && err != nil:
				t.Fatalf("want ready, got %v", err)
			case tc.pending != "" && (err == nil || !strings.Contains(err.Error(), tc.pending)):
				t.Fatalf("want an error naming %q, got %v", tc.pending, err)
			}
		})
	}
}

func TestWaitPodReadyFollowsTheWatch(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}, Status: corev1.PodStatus{Phase: corev1.PodPending}}
	cs := fake.NewClientset(pod)
	events := watch.NewFake()
	cs.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(events, nil))
	c := &Client{Clientset: cs}
	done := make(chan error, 1)
	go func() {
		_, err := c.WaitPodReady(context.Background(), "ns", "p", 5*time.Second)
		done <- err
	}()
	starting := pod.DeepCopy()
	starting.Status.Phase = corev1.PodRunning
	events.Modify(starting) // blocks until the wait reads it
	ready := starting.DeepCopy()
	ready.Status.PodIP = "10.244.1.7"
	ready.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	events.Modify(ready)
	if err := <-done; err != nil {
		t.Fatalf("want Ready, got %v", err)
	}
}

func TestWaitPodReadyNamesTheStateOnTimeout(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}, Spec: corev1.PodSpec{NodeName: "n1"},
		Status: corev1.PodStatus{Phase: corev1.PodPending}}
	c := &Client{Clientset: fake.NewClientset(pod)}
	_, err := c.WaitPodReady(context.Background(), "ns", "p", 500*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "pod ns/p on n1") {
		t.Fatalf("want a timeout naming the pod and its node, got %v", err)
	}
}

func deployment(generation, observed int64, replicas, updated, available int32) *appsv1.Deployment {
	one := int32(1)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ctl", Generation: generation},
		Spec:       appsv1.DeploymentSpec{Replicas: &one},
		Status: appsv1.DeploymentStatus{ObservedGeneration: observed, Replicas: replicas,
			UpdatedReplicas: updated, AvailableReplicas: available},
	}
}

func TestWaitDeployment(t *testing.T) {
	for _, tc := range []struct {
		name    string
		d       *appsv1.Deployment
		pending string // "" when ready
	}{
		{"rolled out", deployment(2, 2, 1, 1, 1), ""},
		{"new generation not observed", deployment(3, 2, 1, 1, 1), "1 of 1 replicas available"},
		// Mid-rollout: the new pod exists (updated) but is not ready, the
		// old one still is; that is not the new template serving.
		{"old pod still serving", deployment(3, 3, 2, 1, 1), "1 of 2 pods on the current template"},
		{"not available", deployment(3, 3, 1, 1, 0), "0 of 1 replicas available"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{Clientset: fake.NewClientset(tc.d)}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := c.WaitDeployment(ctx, "ns", "ctl", 300*time.Millisecond)
			switch {
			case tc.pending == "" && err != nil:
				t.Fatalf("want ready, got %v", err)
			case tc.pending != "" && (err == nil || !strings.Contains(err.Error(), tc.pending)):
				t.Fatalf("want an error naming %q, got %v", tc.pending, err)
			}
		})
	}
}

// Only admission's refusal for a ServiceAccount not yet created is
// retried; any other refusal is returned at once.
func TestServiceAccountPending(t *testing.T) {
	pending := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "client",
		errors.New(`error looking up service account ns/default: serviceaccount "default" not found`))
	if !serviceAccountPending(pending) {
		t.Errorf("not taken for a pending ServiceAccount: %v", pending)
	}
	other := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "client", errors.New("violates PodSecurity \"restricted:latest\""))
	if serviceAccountPending(other) || serviceAccountPending(nil) {
		t.Errorf("taken for a pending ServiceAccount: %v", other)
	}
}
