package loadbalancer

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netconform/netconform/framework/kube"
)

// Detected is an implementation found running: its descriptor and the
// Deployment that runs its controller.
type Detected struct {
	*Descriptor
	Namespace, Deployment, Image string
	// ReadyReplicas of the controller when it was found.
	ReadyReplicas int32
}

func (d *Detected) String() string {
	return fmt.Sprintf("%s (Deployment %s/%s, image %s)", d.Name, d.Namespace, d.Deployment, d.Image)
}

// Detect finds the registered implementation whose controller runs on the
// cluster, in any namespace: the first Deployment, in the API server's
// order, whose image matches a descriptor. Nil when none runs.
func Detect(ctx context.Context, cs kubernetes.Interface) (*Detected, error) {
	deps, err := cs.AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing Deployments to find a LoadBalancer implementation: %w", err)
	}
	all := Descriptors()
	for i := range deps.Items {
		dep := &deps.Items[i]
		for _, d := range all {
			if image, ok := RunsImage(dep.Spec.Template.Spec, d.ControllerImages); ok {
				return &Detected{Descriptor: d, Namespace: dep.Namespace, Deployment: dep.Name, Image: image, ReadyReplicas: dep.Status.ReadyReplicas}, nil
			}
		}
	}
	return nil, nil
}

// RunsImage returns the first image of spec's containers that holds one
// of fragments.
func RunsImage(spec corev1.PodSpec, fragments []string) (string, bool) {
	for _, c := range spec.Containers {
		for _, f := range fragments {
			if strings.Contains(c.Image, f) {
				return c.Image, true
			}
		}
	}
	return "", false
}

// Describe says, for the failure message of a LoadBalancer check, what
// the implementation running on the cluster does for svc (nil: in
// general): its own diagnosis when its descriptor has one, else its
// controller's readiness.
func Describe(ctx context.Context, cl *kube.Client, svc *corev1.Service) State {
	d, err := Detect(ctx, cl.Clientset)
	if err != nil {
		return State{Text: err.Error()}
	}
	if d == nil {
		return State{Text: "no LoadBalancer implementation netconform knows runs (no Deployment runs the controller of " + Known() + ")"}
	}
	if d.Diagnose != nil {
		return d.Diagnose(ctx, cl, svc)
	}
	return controllerState(ctx, cl, d)
}

// controllerState is what can be said of any implementation: whether its
// controller has a ready pod.
func controllerState(ctx context.Context, cl *kube.Client, d *Detected) State {
	dep, err := cl.Clientset.AppsV1().Deployments(d.Namespace).Get(ctx, d.Deployment, metav1.GetOptions{})
	if err != nil {
		return State{Installed: true, Text: fmt.Sprintf("%s: Deployment %s/%s: %v", d.Name, d.Namespace, d.Deployment, err)}
	}
	ready := dep.Status.ReadyReplicas
	return State{Installed: true, Assigning: ready > 0, Announcing: ready > 0,
		Text: fmt.Sprintf("%s controller %s/%s: %d of %d pods ready", d.Name, d.Namespace, d.Deployment, ready, replicas(dep))}
}

func replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}
