package preflight

import (
	"context"
	"strings"
	"testing"

	authv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/netconform/netconform/framework/kube"
)

// allowingAllBut answers every SelfSubjectAccessReview allowed, except
// for one verb on one resource.
func allowingAllBut(verb, resource string) *kube.Client {
	cs := fake.NewClientset()
	cs.PrependReactor("create", "selfsubjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		r := a.(k8stesting.CreateAction).GetObject().(*authv1.SelfSubjectAccessReview)
		at := r.Spec.ResourceAttributes
		r.Status.Allowed = at.Verb != verb || at.Resource != resource
		return true, r, nil
	})
	return &kube.Client{Clientset: cs}
}

func TestPermissionsNameTheRoleAndThePermission(t *testing.T) {
	ctx := context.Background()
	err := Permissions(ctx, allowingAllBut("deletecollection", "pods"), false)
	if err == nil || !strings.Contains(err.Error(), "ClusterRole netconform-runner") || !strings.Contains(err.Error(), "- deletecollection pods (in all namespaces)") {
		t.Errorf("runner permission missing: %v", err)
	}
	// Only a run with Disruptive specs needs their role.
	cl := allowingAllBut("patch", "daemonsets")
	if err := Permissions(ctx, cl, false); err != nil {
		t.Errorf("without Disruptive specs: %v", err)
	}
	err = Permissions(ctx, cl, true)
	if err == nil || !strings.Contains(err.Error(), "permissions of the Disruptive specs") || !strings.Contains(err.Error(), "- patch daemonsets.apps") || !strings.Contains(err.Error(), "rbac role --disruptive") {
		t.Errorf("Disruptive permission missing: %v", err)
	}
}
