package e2e

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/netconform/netconform/framework/timeouts"
)

// DescribeServiceProxy says what programs Service IPs on the nodes, for failure
// messages of Service checks: kube-proxy and its readiness, or its absence
// and the CNI that would have to replace it.
func DescribeServiceProxy(ctx context.Context, cl *kube.Client) string {
	ds, err := cl.Clientset.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return "no kube-proxy DaemonSet in kube-system: nothing programs Service IPs unless the CNI does (" + Current.CNI.String() + ")"
	case err != nil:
		return "kube-proxy: " + err.Error()
	}
	s := ds.Status
	proxy := fmt.Sprintf("kube-proxy: %d of %d pods ready", s.NumberReady, s.DesiredNumberScheduled)
	if by := cni.ServiceProxyOf(Current.CNI); by != "" {
		return "pods' Services load-balanced by " + by + "; " + proxy
	}
	return proxy
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

// DescribeEndpoints says, for the failure message of a Service check, what the
// Service's EndpointSlices hold and, when from is a pod, whether each
// endpoint answers it directly: endpoints that answer point at the Service
// proxy, endpoints that do not point at pod networking, no endpoints at
// the selector or readiness.
func DescribeEndpoints(ctx context.Context, cl *kube.Client, from *corev1.Pod, svc *corev1.Service) string {
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
		if res, err := Probe(ctx, cl, from, probes...); err == nil {
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

// DescribeClusterDNS says, for the failure message of a lookup from pod, why the
// cluster DNS may have failed, separating causes: whether the cluster DNS
// Service answers at all (the SOA of the cluster domain: a query it must
// answer), whether it answers for the cluster domain the kubelet hands to
// pods (read from the pod's resolv.conf and the kubelet's configuration),
// and which of its endpoints answer directly on the DNS port. So "the
// server is unreachable", "the server answers but not for this domain" and
// "one replica is broken" read differently.
func DescribeClusterDNS(ctx context.Context, cl *kube.Client, pod *corev1.Pod) string {
	return diagnoseDNS(ctx, cl, pod).String()
}

// ClusterDNSAnswers reports whether, from pod, the cluster DNS Service and
// every one of its endpoints answer for the cluster domain, with
// ClusterDNS's diagnosis: a lookup through the Service can pass while one
// replica is broken, each endpoint asked directly cannot.
func ClusterDNSAnswers(ctx context.Context, cl *kube.Client, pod *corev1.Pod) (bool, string) {
	d := diagnoseDNS(ctx, cl, pod)
	return d.healthy(), d.String()
}

func diagnoseDNS(ctx context.Context, cl *kube.Client, pod *corev1.Pod) dnsDiagnosis {
	svc, err := cl.Clientset.CoreV1().Services("kube-system").Get(ctx, "kube-dns", metav1.GetOptions{})
	if err != nil {
		return dnsDiagnosis{failure: "cluster DNS Service kube-system/kube-dns: " + err.Error()}
	}
	d := dnsDiagnosis{service: svc.Spec.ClusterIP, proxy: DescribeServiceProxy(ctx, cl)}
	d.endpoints, err = dnsEndpoints(ctx, cl, svc)
	if err != nil {
		d.failure = fmt.Sprintf("cluster DNS %s: endpoints: %v; %s", svc.Spec.ClusterIP, err, d.proxy)
		return d
	}
	if pod == nil {
		return d
	}
	d.from = pod.Name + " on " + pod.Spec.NodeName
	d.kubeletDomain = kubeletClusterDomain(ctx, cl, pod.Spec.NodeName)
	// An empty batch first: the pod's resolv.conf names the domain to ask.
	env, err := remote.Run(ctx, cl, remote.Pod{Namespace: pod.Namespace, Name: pod.Name, Container: agent.Container}, probe.Batch{})
	if err == nil && env.Env != nil {
		d.search = env.Env.Search
	}
	d.domain = d.podDomain()
	if d.domain == "" {
		d.domain = d.kubeletDomain
	}
	if d.domain == "" {
		return d
	}
	soa := func(server string) probe.Probe {
		return probe.Probe{ID: server, Protocol: probe.DNS, DNSType: probe.DNSTypeSOA, Target: d.domain, Server: server, TimeoutMs: timeouts.Ms(timeouts.Current.DNSAttempt)}
	}
	probes := []probe.Probe{soa(Addr(svc.Spec.ClusterIP, dnsServicePort(svc)))}
	for _, e := range d.endpoints {
		probes = append(probes, soa(e.addr))
	}
	res, err := Probe(ctx, cl, pod, probes...)
	if err != nil {
		d.probeErr = err.Error()
		return d
	}
	d.serviceAnswer = &res[0]
	for i := range d.endpoints {
		d.endpoints[i].answer = &res[i+1]
	}
	d.from = pod.Name + " on " + pod.Spec.NodeName
	return d
}

// dnsDiagnosis is what ClusterDNS found; String turns it into a verdict.
type dnsDiagnosis struct {
	service, proxy string
	// domain is the cluster domain asked about; search the pod's search
	// list, kubeletDomain the node's kubelet's clusterDomain.
	domain, kubeletDomain string
	search                []string
	endpoints             []dnsEndpoint
	from, probeErr        string
	serviceAnswer         *probe.Result
	// failure, when set, is all there is to say.
	failure string
}

// healthy: the Service and every endpoint answer for the domain.
func (d dnsDiagnosis) healthy() bool {
	if d.failure != "" || len(d.endpoints) == 0 || d.serviceAnswer == nil || d.serviceAnswer.Verdict != probe.Connected {
		return false
	}
	for _, e := range d.endpoints {
		if e.answer == nil || e.answer.Verdict != probe.Connected {
			return false
		}
	}
	return true
}

type dnsEndpoint struct {
	addr, desc string
	answer     *probe.Result
}

// podDomain is the cluster domain in the pod's search list, the suffix
// after "svc." (kubelet writes <ns>.svc.<domain> svc.<domain> <domain>).
func (d dnsDiagnosis) podDomain() string {
	for _, s := range d.search {
		if rest, ok := strings.CutPrefix(s, "svc."); ok {
			return rest
		}
	}
	return ""
}

func (d dnsDiagnosis) String() string {
	if d.failure != "" {
		return d.failure
	}
	var verdict string
	var parts []string
	answers := func(r *probe.Result) bool { return r != nil && r.Verdict == probe.Connected }
	replied := func(r *probe.Result) bool { return r != nil && r.Rcode != "" }
	working, broken := 0, []string{}
	for _, e := range d.endpoints {
		desc := e.addr + " (" + e.desc + ")"
		switch {
		case e.answer == nil:
		case answers(e.answer):
			working++
			desc += " answers for " + d.domain
		case replied(e.answer):
			broken = append(broken, e.addr)
			desc += fmt.Sprintf(" answers, but not for %s: %s", d.domain, e.answer.Error)
		default:
			broken = append(broken, e.addr)
			desc += fmt.Sprintf(" does not answer: %s %s", e.answer.Verdict, e.answer.Error)
		}
		parts = append(parts, desc)
	}
	switch {
	case len(d.endpoints) == 0:
		verdict = "Service kube-dns has no endpoints: no DNS server runs behind " + d.service
	case d.serviceAnswer == nil && d.from == "":
		verdict = "not asked from a pod"
	case d.serviceAnswer == nil:
		verdict = "not probed from " + d.from + prefixed(": ", d.probeErr)
	case !replied(d.serviceAnswer) && working == 0:
		verdict = fmt.Sprintf("the DNS server is unreachable from %s: neither the Service %s nor any endpoint answers", d.from, d.service)
	case !replied(d.serviceAnswer):
		verdict = fmt.Sprintf("the Service IP %s does not answer %s (%s) but %d of %d endpoints do: Service proxying is at fault", d.service, d.from, d.serviceAnswer.Verdict, working, len(d.endpoints))
	case !answers(d.serviceAnswer) && working == 0:
		verdict = fmt.Sprintf("the DNS server answers, but not for %s: %s", d.domain, d.serviceAnswer.Error)
	case len(broken) > 0:
		verdict = fmt.Sprintf("%d of %d DNS replicas are broken (%s): lookups through the Service fail when they land there", len(broken), len(d.endpoints), strings.Join(broken, ", "))
	default:
		verdict = fmt.Sprintf("the Service %s and every endpoint answer for %s from %s now", d.service, d.domain, d.from)
	}
	msg := "cluster DNS " + d.service + ": " + verdict
	if d.domain != "" || d.kubeletDomain != "" {
		msg += fmt.Sprintf("; cluster domain: %q in the pod's search list %v, %q in the kubelet's configuration", d.podDomain(), d.search, d.kubeletDomain)
		if pd := d.podDomain(); pd != "" && d.kubeletDomain != "" && pd != d.kubeletDomain {
			msg += " (they differ)"
		}
	}
	if len(parts) > 0 {
		msg += "; endpoints on the DNS port: " + strings.Join(parts, "; ")
	}
	return msg + "; " + d.proxy
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
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
				out = append(out, endpoint{Addr(a, n), desc})
			}
		}
	}
	return out, nil
}

// dnsEndpoints lists the Service's endpoints on its DNS port (UDP 53, or
// the port named dns), never the metrics port.
func dnsEndpoints(ctx context.Context, cl *kube.Client, svc *corev1.Service) ([]dnsEndpoint, error) {
	eps, err := serviceEndpoints(ctx, cl, svc, dnsPort)
	out := make([]dnsEndpoint, len(eps))
	for i, e := range eps {
		out[i] = dnsEndpoint{addr: e.addr, desc: e.desc}
	}
	return out, err
}

// dnsPort picks the DNS port of endpoint ports: UDP named "dns", else UDP
// 53, else any UDP port; TCP ports (metrics 9153, dns-tcp) never.
func dnsPort(ports []discoveryv1.EndpointPort) int {
	best, rank := 0, 0
	for _, p := range ports {
		if p.Port == nil || p.Protocol == nil || *p.Protocol != corev1.ProtocolUDP {
			continue
		}
		r := 1
		if *p.Port == 53 {
			r = 2
		}
		if p.Name != nil && *p.Name == "dns" {
			r = 3
		}
		if r > rank {
			best, rank = int(*p.Port), r
		}
	}
	return best
}

// dnsServicePort is the Service's UDP DNS port (53 unless it says otherwise).
func dnsServicePort(svc *corev1.Service) int {
	for _, p := range svc.Spec.Ports {
		if p.Protocol == corev1.ProtocolUDP {
			return int(p.Port)
		}
	}
	return 53
}

// kubeletClusterDomain reads clusterDomain from the kubelet's live
// configuration (through the API server's node proxy); "" if unreadable.
func kubeletClusterDomain(ctx context.Context, cl *kube.Client, node string) string {
	raw, err := cl.Clientset.CoreV1().RESTClient().Get().AbsPath("/api/v1/nodes", node, "proxy", "configz").DoRaw(ctx)
	if err != nil {
		return ""
	}
	var cfg struct {
		KubeletConfig struct {
			ClusterDomain string `json:"clusterDomain"`
		} `json:"kubeletconfig"`
	}
	if json.Unmarshal(raw, &cfg) != nil {
		return ""
	}
	return cfg.KubeletConfig.ClusterDomain
}
