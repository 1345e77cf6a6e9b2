package e2e

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/kube"
)

// ServiceProxy says what programs Service IPs on the nodes, for failure
// messages of Service checks: kube-proxy and its readiness, or its absence
// and the CNI that would have to replace it.
func ServiceProxy(ctx context.Context, cl *kube.Client) string {
	ds, err := cl.Clientset.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return "no kube-proxy DaemonSet in kube-system: nothing programs Service IPs unless the CNI does (" + Current.CNI.String() + ")"
	case err != nil:
		return "kube-proxy: " + err.Error()
	}
	s := ds.Status
	return fmt.Sprintf("kube-proxy: %d of %d pods ready", s.NumberReady, s.DesiredNumberScheduled)
}

// ServiceCIDRs returns the ranges Service ClusterIPs are allocated from
// (the ServiceCIDR objects, GA since Kubernetes 1.33).
func ServiceCIDRs(ctx context.Context, cl *kube.Client) ([]string, error) {
	list, err := cl.Clientset.NetworkingV1().ServiceCIDRs().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing ServiceCIDRs (networking.k8s.io/v1): %w", err)
	}
	var out []string
	for _, sc := range list.Items {
		out = append(out, sc.Spec.CIDRs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no ServiceCIDR objects")
	}
	return out, nil
}

// NodeNames lists every node of the cluster, control plane included.
func NodeNames(ctx context.Context, cl *kube.Client) ([]string, error) {
	list, err := cl.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list.Items))
	for i, n := range list.Items {
		names[i] = n.Name
	}
	return names, nil
}
