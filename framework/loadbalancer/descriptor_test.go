package loadbalancer

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/netconform/netconform/framework/kube"
)

func init() {
	Register(Descriptor{Name: "Example LB", ControllerImages: []string{"example/lb-controller"}})
}

func controller(image string, ready int32) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "lb-controller", Namespace: "lb-system"},
		Spec:   appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: image}}}}},
		Status: appsv1.DeploymentStatus{ReadyReplicas: ready}}
}

func TestRegisterRefusesWhatDetectCouldNotFind(t *testing.T) {
	for name, d := range map[string]Descriptor{
		"duplicate": {Name: "Example LB", ControllerImages: []string{"x"}},
		"no images": {Name: "Nameless"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered", name)
				}
			}()
			Register(d)
		}()
	}
}

// Without a Diagnose of its own, an implementation is described by its
// controller's readiness; with none running, Describe says which it
// looked for.
func TestDetectAndDescribe(t *testing.T) {
	ctx := context.Background()
	cl := &kube.Client{Clientset: fake.NewClientset(controller("registry.example/example/lb-controller:v1", 0))}
	d, err := Detect(ctx, cl.Clientset)
	if err != nil || d == nil || d.Name != "Example LB" || d.Namespace != "lb-system" || d.Deployment != "lb-controller" {
		t.Fatalf("Detect = %v, %v", d, err)
	}
	st := Describe(ctx, cl, nil)
	if !st.Installed || st.Assigning || !strings.Contains(st.Text, "Example LB controller lb-system/lb-controller: 0 of 1 pods ready") {
		t.Errorf("Describe = %+v", st)
	}
	none := &kube.Client{Clientset: fake.NewClientset(controller("other/thing:v1", 1))}
	if d, err := Detect(ctx, none.Clientset); d != nil || err != nil {
		t.Errorf("Detect found %v, %v", d, err)
	}
	if st := Describe(ctx, none, nil); st.Installed || !strings.Contains(st.Text, "Example LB") {
		t.Errorf("Describe without an implementation = %+v", st)
	}
	if _, why := d.BreakOf(); !strings.Contains(why, "Example LB declares nothing a Disruptive proof may take away") {
		t.Errorf("BreakOf = %q", why)
	}
}
