package ingress

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Deployment names the Deployment that runs the controller's pods (through
// their ReplicaSet), for the Disruptive specs that scale or reconfigure it.
func (c *Controller) Deployment(ctx context.Context, cs kubernetes.Interface) (string, error) {
	if len(c.Pods) == 0 {
		return "", fmt.Errorf("%s: no pods, so no Deployment to find", c)
	}
	pod, err := cs.CoreV1().Pods(c.Namespace).Get(ctx, c.Pods[0].Name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	for _, o := range pod.OwnerReferences {
		if o.Kind != "ReplicaSet" {
			continue
		}
		rs, err := cs.AppsV1().ReplicaSets(c.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		for _, ro := range rs.OwnerReferences {
			if ro.Kind == "Deployment" {
				return ro.Name, nil
			}
		}
	}
	return "", fmt.Errorf("%s: pod %s is not run by a Deployment (owners %v)", c, pod.Name, pod.OwnerReferences)
}
