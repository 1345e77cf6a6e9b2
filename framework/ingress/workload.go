package ingress

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// Deployment names the Deployment that runs the controller's pods (through
// their ReplicaSet), for the Disruptive specs that scale or reconfigure it.
func (c *Controller) Deployment(ctx context.Context, cs kubernetes.Interface) (string, error) {
	if len(c.Pods) == 0 {
		return "", fmt.Errorf("%s: no pods, so no Deployment to find", c)
	}
	pod, err := cs.CoreV1().Pods(c.Namespace).Get(ctx, c.Pods[0].Name, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("%s: finding its Deployment: %w", c, err)
	}
	for _, o := range pod.OwnerReferences {
		if o.Kind != "ReplicaSet" {
			continue
		}
		rs, err := cs.AppsV1().ReplicaSets(c.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
		if err != nil {
			return "", fmt.Errorf("%s: finding its Deployment through pod %s: %w", c, pod.Name, err)
		}
		for _, ro := range rs.OwnerReferences {
			if ro.Kind == "Deployment" {
				return ro.Name, nil
			}
		}
	}
	return "", fmt.Errorf("%s: pod %s is not run by a Deployment (owners %v)", c, pod.Name, pod.OwnerReferences)
}

// Stopped is a controller scaled to 0 by Stop.
type Stopped struct {
	Namespace, Deployment string
	// Replicas it had, which Repair gives back.
	Replicas int32
	Repair   Repair
}

// Stop scales the Deployment that runs c to 0 replicas: the break every
// controller run by a Deployment has, whatever its descriptor declares.
// Its repair scales it back and waits until it is available.
func Stop(ctx context.Context, cl *kube.Client, c *Controller) (Stopped, error) {
	name, err := c.Deployment(ctx, cl.Clientset)
	if err != nil {
		return Stopped{}, err
	}
	deps := cl.Clientset.AppsV1().Deployments(c.Namespace)
	d, err := deps.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return Stopped{}, err
	}
	st := Stopped{Namespace: c.Namespace, Deployment: name, Replicas: 1}
	if d.Spec.Replicas != nil {
		st.Replicas = *d.Spec.Replicas
	}
	scale := func(ctx context.Context, n int32) error {
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			d, err := deps.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			d.Spec.Replicas = &n
			_, err = deps.Update(ctx, d, metav1.UpdateOptions{})
			return err
		})
	}
	st.Repair = func(ctx context.Context) error {
		if err := scale(ctx, st.Replicas); err != nil {
			return fmt.Errorf("scaling Deployment %s/%s back to %d: %w", c.Namespace, name, st.Replicas, err)
		}
		return cl.WaitDeployment(ctx, c.Namespace, name, timeouts.Current.Rollout)
	}
	if err := scale(ctx, 0); err != nil {
		return st, fmt.Errorf("scaling Deployment %s/%s to 0: %w", c.Namespace, name, err)
	}
	return st, nil
}
