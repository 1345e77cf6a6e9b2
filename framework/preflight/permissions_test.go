package preflight

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
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

// A CNI whose agents stay not ready fails preflight after cniReady,
// naming the agent that is not ready and the DaemonSet.
func TestUnhealthyCNINamesItsAgents(t *testing.T) {
	saved := timeouts.Current
	defer func() { timeouts.Current = saved }()
	timeouts.Current.CNIReady = 300 * time.Millisecond
	cl := allowingAllBut("", "")
	ctx := context.Background()
	cl.Clientset.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}, metav1.CreateOptions{})
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-router"}}
	cl.Clientset.AppsV1().DaemonSets("kube-system").Create(ctx, &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "kube-router"},
		Spec:   appsv1.DaemonSetSpec{Selector: sel},
		Status: appsv1.DaemonSetStatus{NumberReady: 0, DesiredNumberScheduled: 1, UpdatedNumberScheduled: 1}}, metav1.CreateOptions{})
	cl.Clientset.CoreV1().Pods("kube-system").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "kube-router-x", Labels: sel.MatchLabels},
		Spec: corev1.PodSpec{NodeName: "n1"}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}, metav1.CreateOptions{})
	start := time.Now()
	_, err := Run(ctx, cl, Options{RunID: "t"})
	if err == nil || !strings.Contains(err.Error(), "CNI kube-router") || !strings.Contains(err.Error(), "not healthy") || !strings.Contains(err.Error(), "kube-router-x") {
		t.Errorf("Run = %v, want the CNI and its not-ready agent named", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("preflight took %s with cniReady at 300ms", took)
	}
}
