package e2e

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/netconform/netconform/framework/diagnose"
	"github.com/netconform/netconform/framework/kube"
)

// The diagnoses of framework/diagnose, given what this run detected.

// DescribeServiceProxy says what programs Service IPs on the nodes, for
// failure messages of Service checks.
func DescribeServiceProxy(ctx context.Context, cl *kube.Client) string {
	return diagnose.ServiceProxy(ctx, cl, Current.CNI)
}

// DescribeEndpoints says what the Service's EndpointSlices hold and, when
// from is a pod, whether each endpoint answers it directly.
func DescribeEndpoints(ctx context.Context, cl *kube.Client, from *corev1.Pod, svc *corev1.Service) string {
	return diagnose.Endpoints(ctx, cl, from, svc)
}

// DescribeClusterDNS says, for the failure message of a lookup from pod,
// why the cluster DNS may have failed.
func DescribeClusterDNS(ctx context.Context, cl *kube.Client, pod *corev1.Pod) string {
	return diagnose.ClusterDNS(ctx, cl, pod, Current.CNI)
}

// ClusterDNSAnswers reports whether, from pod, the cluster DNS Service and
// every one of its endpoints answer for the cluster domain, with the
// diagnosis.
func ClusterDNSAnswers(ctx context.Context, cl *kube.Client, pod *corev1.Pod) (bool, string) {
	return diagnose.ClusterDNSAnswers(ctx, cl, pod, Current.CNI)
}

// ServiceCIDRs returns the ranges Service ClusterIPs are allocated from.
func ServiceCIDRs(ctx context.Context, cl *kube.Client) ([]string, error) {
	return diagnose.ServiceCIDRs(ctx, cl)
}

// NodeNames lists every node of the cluster, control plane included.
func NodeNames(ctx context.Context, cl *kube.Client) ([]string, error) {
	return diagnose.NodeNames(ctx, cl)
}
