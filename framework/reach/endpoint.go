package reach

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Endpoint is one source or destination of traffic: a pod, or an address
// outside the pod network (Pod nil), such as an external IP a spec sends
// egress traffic to.
type Endpoint struct {
	Peer Peer
	// Pod supplies labels, namespace and named ports. Nil for a non-pod
	// endpoint, which no selector matches and no policy isolates.
	Pod *corev1.Pod
	// IPs are the addresses ipBlock peers are matched against.
	IPs []string
}

// PodEndpoint describes a pod, with every address from its status.
func PodEndpoint(pod *corev1.Pod) Endpoint {
	return Endpoint{
		Peer: Peer{Namespace: pod.Namespace, Pod: pod.Name},
		Pod:  pod,
		IPs:  podIPs(pod),
	}
}

// ExternalEndpoint describes a non-pod endpoint, named name in tables,
// reachable at ips.
func ExternalEndpoint(name string, ips ...string) Endpoint {
	return Endpoint{Peer: Peer{Pod: name}, IPs: ips}
}

// podIPs merges PodIP and PodIPs without duplicates; PodIPs normally repeats
// PodIP as its first entry.
func podIPs(pod *corev1.Pod) []string {
	var ips []string
	seen := map[string]bool{}
	add := func(ip string) {
		if ip != "" && !seen[ip] {
			seen[ip] = true
			ips = append(ips, ip)
		}
	}
	add(pod.Status.PodIP)
	for _, ip := range pod.Status.PodIPs {
		add(ip.IP)
	}
	return ips
}

// endpoint is an Endpoint prepared for evaluation.
type endpoint struct {
	peer      Peer
	pod       *corev1.Pod
	podLabels labels.Set
	nsLabels  labels.Set
	addrs     []netip.Addr
}

func (e *endpoint) isPod() bool { return e.pod != nil }

// namespace is empty for non-pod endpoints.
func (e *endpoint) namespace() string {
	if e.pod == nil {
		return ""
	}
	return e.pod.Namespace
}

func compileEndpoint(ep Endpoint, nsLabels map[string]labels.Set) (endpoint, error) {
	out := endpoint{peer: ep.Peer, pod: ep.Pod}
	if ep.Pod != nil {
		if ep.Pod.Namespace == "" {
			return out, fmt.Errorf("endpoint %s: pod %q has no namespace", ep.Peer, ep.Pod.Name)
		}
		out.podLabels = labels.Set(ep.Pod.Labels)
		out.nsLabels = namespaceLabels(ep.Pod.Namespace, nsLabels)
	}
	for _, ip := range ep.IPs {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return out, fmt.Errorf("endpoint %s: %w", ep.Peer, err)
		}
		out.addrs = append(out.addrs, addr.Unmap())
	}
	return out, nil
}

// namespaceLabels returns the labels of the named namespace. A namespace
// the caller did not pass still has its name label, which the API server
// sets on every namespace.
func namespaceLabels(name string, known map[string]labels.Set) labels.Set {
	if set, ok := known[name]; ok {
		return set
	}
	return labels.Set{corev1.LabelMetadataName: name}
}

// indexNamespaces maps namespace names to their labels. The name label is
// forced to the name, as the API server does, so hand-built objects that
// lack it behave like real ones.
func indexNamespaces(namespaces []corev1.Namespace) map[string]labels.Set {
	index := make(map[string]labels.Set, len(namespaces))
	for _, ns := range namespaces {
		set := labels.Set{}
		for k, v := range ns.Labels {
			set[k] = v
		}
		set[corev1.LabelMetadataName] = ns.Name
		index[ns.Name] = set
	}
	return index
}
