package addon

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/loadbalancer"
	"github.com/netconform/netconform/framework/timeouts"
)

// removeSpeakers takes MetalLB's speakers away: addresses are still
// assigned, but no node announces them, and the failure must say so.
var removeSpeakers = loadbalancer.Break{
	What:   "the speaker DaemonSet is removed",
	Names:  "MetalLB's missing speaker",
	Expect: []string{"MetalLB", "speaker not running", "no node announces"},
	Apply:  applyRemoveSpeakers,
}

// applyRemoveSpeakers deletes the speaker DaemonSet and its pods. Its
// repair recreates the DaemonSet as it was and waits until every Service
// announced before (an Ingress controller's) is announced again: the
// cluster is left as the proof found it.
func applyRemoveSpeakers(ctx context.Context, cl *kube.Client) (loadbalancer.Repair, error) {
	saved, err := metalLBSpeakers(ctx, cl)
	if err != nil {
		return nil, err
	}
	if saved == nil {
		return nil, fmt.Errorf("%w: no MetalLB speaker DaemonSet to remove: %s", loadbalancer.ErrNothingToBreak, describeMetalLB(ctx, cl, nil))
	}
	before, err := announcedServices(ctx, cl, saved.Namespace)
	if err != nil {
		return nil, err
	}
	speakers := cl.Clientset.AppsV1().DaemonSets(saved.Namespace)
	if err := speakers.Delete(ctx, saved.Name, metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationForeground)}); err != nil {
		return nil, fmt.Errorf("deleting MetalLB's speaker DaemonSet %s/%s: %w", saved.Namespace, saved.Name, err)
	}
	repair := func(ctx context.Context) error { return restoreSpeakers(ctx, cl, saved, before) }
	return repair, cl.Poll(ctx, timeouts.Current.Rollout, func() (string, error) {
		_, err := speakers.Get(ctx, saved.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return "", nil
		}
		return fmt.Sprintf("speaker DaemonSet %s/%s still there (%v)", saved.Namespace, saved.Name, err), nil
	})
}

func restoreSpeakers(ctx context.Context, cl *kube.Client, saved *appsv1.DaemonSet, before map[string]string) error {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: saved.Namespace, Name: saved.Name, Labels: saved.Labels, Annotations: saved.Annotations},
		Spec:       saved.Spec,
	}
	if _, err := cl.Clientset.AppsV1().DaemonSets(ds.Namespace).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("recreating MetalLB's speaker: the cluster needs it back: %w", err)
	}
	if err := cl.WaitDaemonSet(ctx, ds.Namespace, ds.Name, timeouts.Current.Rollout); err != nil {
		return err
	}
	return cl.Poll(ctx, timeouts.Current.Rollout, func() (string, error) {
		now, err := announcedServices(ctx, cl, saved.Namespace)
		if err != nil {
			return "", err
		}
		var lost []string
		for svc, node := range before {
			ns, name, _ := strings.Cut(svc, "/")
			if _, err := cl.Clientset.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
				continue // deleted meanwhile: nothing to announce
			}
			if now[svc] == "" {
				lost = append(lost, svc+" (announced by "+node+" before)")
			}
		}
		if len(lost) > 0 {
			return "LoadBalancer Services no MetalLB speaker announces since the speakers' return: " + strings.Join(lost, ", "), nil
		}
		return "", nil
	})
}
