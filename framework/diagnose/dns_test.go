package diagnose

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/netconform/netconform/framework/probe"
)

func TestDNSPortIsNeverTheMetricsPort(t *testing.T) {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port := endpointPort
	for _, c := range []struct {
		ports []discoveryv1.EndpointPort
		want  int
	}{
		{[]discoveryv1.EndpointPort{port("metrics", tcp, 9153), port("dns-tcp", tcp, 53), port("dns", udp, 53)}, 53},
		{[]discoveryv1.EndpointPort{port("metrics", tcp, 9153), port("other", udp, 5353), port("dns", udp, 1053)}, 1053},
		{[]discoveryv1.EndpointPort{port("x", udp, 5353), port("y", udp, 53)}, 53},
		{[]discoveryv1.EndpointPort{port("metrics", tcp, 9153)}, 0},
	} {
		if got := dnsPort(c.ports); got != c.want {
			t.Errorf("dnsPort = %d, want %d", got, c.want)
		}
	}
}

// The three causes read differently.
func TestDNSDiagnosisSeparatesCauses(t *testing.T) {
	ok := &probe.Result{Verdict: probe.Connected, Rcode: "Success"}
	silent := &probe.Result{Verdict: probe.TimedOut, Error: "no reply"}
	refused := &probe.Result{Verdict: probe.Failed, Rcode: "Refused", Error: "dns SOA cluster.local. @10.96.0.10:53: the server answers Refused"}
	base := func(svc *probe.Result, eps ...*probe.Result) dnsDiagnosis {
		d := dnsDiagnosis{service: "10.96.0.10", proxy: "kube-proxy: 3 of 3 pods ready", domain: "cluster.local", kubeletDomain: "cluster.local",
			search: []string{"ns.svc.cluster.local", "svc.cluster.local", "cluster.local"}, from: "client on w1", serviceAnswer: svc}
		for i, e := range eps {
			d.endpoints = append(d.endpoints, dnsEndpoint{addr: []string{"10.244.0.2:53", "10.244.1.3:53"}[i], desc: "coredns-" + string(rune('a'+i)) + ", ready, node n", answer: e})
		}
		return d
	}
	for _, c := range []struct {
		name    string
		d       dnsDiagnosis
		healthy bool
		want    []string
	}{
		{"unreachable", base(silent, silent, silent), false, []string{"the DNS server is unreachable from client on w1"}},
		{"proxy", base(silent, ok, ok), false, []string{"the Service IP 10.96.0.10 does not answer client on w1 (TimedOut) but 2 of 2 endpoints do"}},
		{"wrong domain", base(refused, refused, refused), false, []string{"the DNS server answers, but not for cluster.local", "answers, but not for cluster.local"}},
		{"one replica", base(ok, ok, silent), false, []string{"1 of 2 DNS replicas are broken (10.244.1.3:53)", "10.244.0.2:53 (coredns-a, ready, node n) answers for cluster.local", "10.244.1.3:53 (coredns-b, ready, node n) does not answer: TimedOut"}},
		{"healthy", base(ok, ok, ok), true, []string{"every endpoint answer for cluster.local"}},
		{"no endpoints", base(silent), false, []string{"Service kube-dns has no endpoints"}},
	} {
		got := c.d.String()
		if c.d.healthy() != c.healthy {
			t.Errorf("%s: healthy = %v", c.name, !c.healthy)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
	}
	d := base(ok, ok, ok)
	d.kubeletDomain = "corp.example"
	if got := d.String(); !strings.Contains(got, `"cluster.local" in the pod's search list`) || !strings.Contains(got, `"corp.example" in the kubelet's configuration (they differ)`) {
		t.Errorf("a domain mismatch is not named: %s", got)
	}
}
