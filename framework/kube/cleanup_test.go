package kube

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestDeleteNamespaceForceDeletesPodsFirst(t *testing.T) {
	cs := fake.NewClientset(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "t"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "t", Name: "a"}},
	)
	c := &Client{Clientset: cs}
	if err := c.DeleteNamespace(context.Background(), "t"); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, a := range cs.Actions() {
		switch a := a.(type) {
		case k8stesting.DeleteCollectionAction:
			order = append(order, "pods")
			opts := a.(k8stesting.DeleteCollectionActionImpl).DeleteOptions
			if opts.GracePeriodSeconds == nil || *opts.GracePeriodSeconds != 0 {
				t.Errorf("pods deleted with grace period %v, want 0", opts.GracePeriodSeconds)
			}
		case k8stesting.DeleteAction:
			order = append(order, a.GetResource().Resource)
		}
	}
	if len(order) != 2 || order[0] != "pods" || order[1] != "namespaces" {
		t.Errorf("deletions %v, want [pods namespaces]", order)
	}
	// Deleting what is gone already is not an error: cleanup runs twice
	// (after the spec, after the suite).
	if err := c.DeleteNamespace(context.Background(), "t"); err != nil {
		t.Errorf("second deletion: %v", err)
	}
}
