package e2e

import (
	"context"
	"strings"

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

// ServiceFailure is the failure message of a Service probe from pod that
// did not connect (what), led by the Service proxy's fault when there is
// one, and with what the Service's endpoints answer directly.
func ServiceFailure(ctx context.Context, cl *kube.Client, from *corev1.Pod, svc *corev1.Service, what string) string {
	proxy, fault := diagnose.ServiceProxyFault(ctx, cl, Current.CNI)
	endpoints := diagnose.Endpoints(ctx, cl, from, svc)
	if fault {
		return proxy + ": " + what + " (" + endpoints + ")"
	}
	return what + " (" + proxy + "; " + endpoints + ")"
}

// ClusterDNSFailure is the failure message of a lookup from pod that did
// not resolve (what, e.g. "A kubernetes.default from client on worker:
// TimedOut …"), led by the cluster DNS's cause when the diagnosis found
// one, so that a failure's first line names it.
func ClusterDNSFailure(ctx context.Context, cl *kube.Client, pod *corev1.Pod, what string) string {
	cause, details, healthy := diagnose.ClusterDNSCause(ctx, cl, pod, Current.CNI)
	if healthy {
		return what + " (" + cause + details + ")"
	}
	return cause + ": " + what + " (" + strings.TrimPrefix(details, "; ") + ")"
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
