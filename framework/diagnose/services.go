package diagnose

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
)

// ServiceProxy says what programs Service IPs on the nodes, for failure
// messages of Service checks: kube-proxy and its readiness, or its absence
// and the CNI that would have to replace it (the run's detected CNI).
func ServiceProxy(ctx context.Context, cl *kube.Client, cniOf cni.Detected) string {
	desc, _ := ServiceProxyFault(ctx, cl, cniOf)
	return desc
}

// ServiceProxyFault is ServiceProxy, and whether what it says is a fault
// (no kube-proxy and no CNI that replaces it, or kube-proxy pods not
// ready): a Service failure then leads with it.
func ServiceProxyFault(ctx context.Context, cl *kube.Client, cniOf cni.Detected) (desc string, fault bool) {
	by := cni.ServiceProxyOf(cniOf)
	ds, err := cl.Clientset.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return "no kube-proxy DaemonSet in kube-system: nothing programs Service IPs unless the CNI does (" + cniOf.String() + ")", by == ""
	case err != nil:
		return "kube-proxy: " + err.Error(), false
	}
	s := ds.Status
	proxy := fmt.Sprintf("kube-proxy: %d of %d pods ready", s.NumberReady, s.DesiredNumberScheduled)
	fault = s.NumberReady < s.DesiredNumberScheduled
	if by != "" {
		return "pods' Services load-balanced by " + by + "; " + proxy, false
	}
	return proxy, fault
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

// Endpoints says, for the failure message of a Service check, what the
// Service's EndpointSlices hold and, when from is a pod, whether each
// endpoint answers it directly: endpoints that answer point at the Service
// proxy, endpoints that do not point at pod networking, no endpoints at
// the selector or readiness.
func Endpoints(ctx context.Context, cl *kube.Client, from *corev1.Pod, svc *corev1.Service) string {
	eps, err := serviceEndpoints(ctx, cl, svc, echoPort)
	if err != nil {
		return "endpoints of " + svc.Name + ": " + err.Error()
	}
	if len(eps) == 0 {
		return "Service " + svc.Name + " has no endpoints"
	}
	var probes []probe.Probe
	for _, e := range eps {
		probes = append(probes, probe.Probe{ID: e.addr, Protocol: probe.TCP, Target: e.addr})
	}
	verdicts := map[string]string{}
	if from != nil {
		if res, err := probeFrom(ctx, cl, from, probes...); err == nil {
			for _, r := range res {
				v := "answers " + from.Name + " directly"
				if r.Verdict != probe.Connected {
					v = fmt.Sprintf("does not answer %s directly: %s %s", from.Name, r.Verdict, r.Error)
				}
				verdicts[r.ID] = v
			}
		}
	}
	parts := make([]string, len(eps))
	for i, e := range eps {
		parts[i] = fmt.Sprintf("%s (%s)", e.addr, e.desc)
		if v, ok := verdicts[e.addr]; ok {
			parts[i] += " " + v
		}
	}
	return "endpoints of " + svc.Name + ": " + strings.Join(parts, "; ")
}

// echoPort is the endpoints' agent echo port (TCP), else their first TCP port.
func echoPort(ports []discoveryv1.EndpointPort) int {
	first := 0
	for _, p := range ports {
		if p.Port == nil || (p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP) {
			continue
		}
		if p.Name != nil && *p.Name == agent.EchoTCPPortName {
			return int(*p.Port)
		}
		if first == 0 {
			first = int(*p.Port)
		}
	}
	return first
}

// endpoint is one address:port of a Service's EndpointSlices, with the
// pod, readiness and node it stands for.
type endpoint struct {
	addr, desc string
}

// serviceEndpoints lists svc's endpoints on the port that port picks from
// each slice's ports (slices where it picks 0 are left out).
func serviceEndpoints(ctx context.Context, cl *kube.Client, svc *corev1.Service, port func([]discoveryv1.EndpointPort) int) ([]endpoint, error) {
	slices, err := cl.Clientset.DiscoveryV1().EndpointSlices(svc.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + "=" + svc.Name})
	if err != nil {
		return nil, err
	}
	var out []endpoint
	for _, s := range slices.Items {
		n := port(s.Ports)
		if n == 0 {
			continue
		}
		for _, e := range s.Endpoints {
			desc := "ready"
			if e.Conditions.Ready != nil && !*e.Conditions.Ready {
				desc = "not ready"
			}
			if e.TargetRef != nil {
				desc = e.TargetRef.Name + ", " + desc
			}
			if e.NodeName != nil {
				desc += ", node " + *e.NodeName
			}
			for _, a := range e.Addresses {
				out = append(out, endpoint{addr(a, n), desc})
			}
		}
	}
	return out, nil
}

// probeFrom runs one batch from the agent of pod from (one exec).
func probeFrom(ctx context.Context, cl *kube.Client, from *corev1.Pod, probes ...probe.Probe) ([]probe.Result, error) {
	res, err := remote.Run(ctx, cl, remote.Pod{Namespace: from.Namespace, Name: from.Name, Container: agent.Container}, probe.Batch{Probes: probes})
	return res.Results, err
}

func addr(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }
