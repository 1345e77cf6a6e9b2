package diagnose

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
	"github.com/netconform/netconform/framework/timeouts"
)

// ClusterDNS says, for the failure message of a lookup from pod, why the
// cluster DNS may have failed, separating causes: whether the cluster DNS
// Service answers at all (the SOA of the cluster domain: a query it must
// answer), whether it answers for the cluster domain the kubelet hands to
// pods (read from the pod's resolv.conf and the kubelet's configuration),
// and which of its endpoints answer directly on the DNS port. So "the
// server is unreachable", "the server answers but not for this domain" and
// "one replica is broken" read differently.
// The run's detected CNI is named when kube-proxy is absent.
func ClusterDNS(ctx context.Context, cl *kube.Client, pod *corev1.Pod, cniOf cni.Detected) string {
	return diagnoseDNS(ctx, cl, pod, cniOf).String()
}

// ClusterDNSCause is ClusterDNS in two parts, for a failure whose first
// line must be its cause: the cause ("cluster DNS <ip>: <verdict>"), and
// the details that support it. healthy is true when the Service and every
// endpoint answer for the cluster domain: then the diagnosis found no
// cause, and the symptom should lead.
func ClusterDNSCause(ctx context.Context, cl *kube.Client, pod *corev1.Pod, cniOf cni.Detected) (cause, details string, healthy bool) {
	d := diagnoseDNS(ctx, cl, pod, cniOf)
	cause, details = d.parts()
	return cause, details, d.healthy()
}

// ClusterDNSAnswers reports whether, from pod, the cluster DNS Service and
// every one of its endpoints answer for the cluster domain, with
// ClusterDNS's diagnosis: a lookup through the Service can pass while one
// replica is broken, each endpoint asked directly cannot.
func ClusterDNSAnswers(ctx context.Context, cl *kube.Client, pod *corev1.Pod, cniOf cni.Detected) (bool, string) {
	d := diagnoseDNS(ctx, cl, pod, cniOf)
	return d.healthy(), d.String()
}

func diagnoseDNS(ctx context.Context, cl *kube.Client, pod *corev1.Pod, cniOf cni.Detected) dnsDiagnosis {
	svc, err := cl.Clientset.CoreV1().Services("kube-system").Get(ctx, "kube-dns", metav1.GetOptions{})
	if err != nil {
		return dnsDiagnosis{failure: "cluster DNS Service kube-system/kube-dns: " + err.Error()}
	}
	d := dnsDiagnosis{service: svc.Spec.ClusterIP, proxy: ServiceProxy(ctx, cl, cniOf)}
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
	probes := []probe.Probe{soa(addr(svc.Spec.ClusterIP, dnsServicePort(svc)))}
	for _, e := range d.endpoints {
		probes = append(probes, soa(e.addr))
	}
	res, err := probeFrom(ctx, cl, pod, probes...)
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
	cause, details := d.parts()
	return cause + details
}

// parts splits the diagnosis into its cause ("cluster DNS <ip>: <verdict>")
// and what supports it, each detail led by "; ".
func (d dnsDiagnosis) parts() (cause, details string) {
	if d.failure != "" {
		return d.failure, ""
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
	cause = "cluster DNS " + d.service + ": " + verdict
	msg := ""
	if d.domain != "" || d.kubeletDomain != "" {
		msg += fmt.Sprintf("; cluster domain: %q in the pod's search list %v, %q in the kubelet's configuration", d.podDomain(), d.search, d.kubeletDomain)
		if pd := d.podDomain(); pd != "" && d.kubeletDomain != "" && pd != d.kubeletDomain {
			msg += " (they differ)"
		}
	}
	if len(parts) > 0 {
		msg += "; endpoints on the DNS port: " + strings.Join(parts, "; ")
	}
	return cause, msg + "; " + d.proxy
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
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
