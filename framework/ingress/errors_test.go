package ingress

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// A controller found by the image of the pods behind a Service: when
// those pods cannot be listed, Find must say so, not that no Service
// selects the controller's pods (the spec would then send its reader to
// the wrong place).
func TestFindNamesTheErrorItMet(t *testing.T) {
	svc := controllerService()
	svc.Name, svc.Namespace, svc.Spec.Selector = "envoy", "contour", map[string]string{"app": "envoy"}
	cs := fake.NewClientset(
		&networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "contour"}, Spec: networkingv1.IngressClassSpec{Controller: "projectcontour.io/ingress-controller"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "envoy-xyz", Namespace: "contour", Labels: map[string]string{"app": "envoy"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: "envoyproxy/contour-envoy"}}}},
		svc,
	)
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("the API server is shutting down")
	})
	_, err := Find(context.Background(), cs, "contour", "")
	if err == nil || !strings.Contains(err.Error(), "the API server is shutting down") {
		t.Errorf("Find = %v, want the error listing the pods", err)
	}
}
