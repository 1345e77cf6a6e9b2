package matrix

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/reach"
)

func TestVerdictOf(t *testing.T) {
	dst := PodDestination(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "x"}})
	echo := func(pod string) *probe.Echo {
		return &probe.Echo{Identity: probe.Identity{Pod: pod, Namespace: "x"}, Protocol: probe.TCP}
	}
	cases := []struct {
		r    probe.Result
		want reach.Verdict
	}{
		{probe.Result{Verdict: probe.Connected, Echo: echo("b")}, reach.Allow},
		{probe.Result{Verdict: probe.Connected, Echo: echo("other")}, reach.Inconclusive},
		{probe.Result{Verdict: probe.Connected}, reach.Inconclusive},
		{probe.Result{Verdict: probe.TimedOut}, reach.Deny},
		{probe.Result{Verdict: probe.Refused}, reach.Deny},
		{probe.Result{Verdict: probe.Inconclusive}, reach.Inconclusive},
		{probe.Result{Verdict: probe.Failed}, reach.Inconclusive},
	}
	for _, c := range cases {
		if got := verdictOf(c.r, dst); got != c.want {
			t.Errorf("verdictOf(%+v) = %v, want %v", c.r, got, c.want)
		}
	}
}

func TestProtocolAndTarget(t *testing.T) {
	if protocolOf(reach.Case{Protocol: corev1.ProtocolUDP}) != probe.UDP || protocolOf(reach.Case{}) != probe.TCP {
		t.Error("protocolOf is wrong")
	}
	if joinHostPort("fd00::1", 80) != "[fd00::1]:80" || joinHostPort("10.0.0.1", 80) != "10.0.0.1:80" {
		t.Error("joinHostPort is wrong")
	}
}

func TestServiceDestination(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "x"}, Spec: corev1.ServiceSpec{
		ClusterIP: "10.96.0.20",
		Ports:     []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
	}}
	a := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "x"}}
	d := ServiceDestination(svc, a)
	if d.target(reach.Case{Port: 8080}) != "10.96.0.20:80" || d.target(reach.Case{Port: 8081}) != "10.96.0.20:8081" {
		t.Errorf("targets: %s %s", d.target(reach.Case{Port: 8080}), d.target(reach.Case{Port: 8081}))
	}
	answered := func(ns, pod string) probe.Result {
		return probe.Result{Verdict: probe.Connected, Echo: &probe.Echo{Identity: probe.Identity{Pod: pod, Namespace: ns}, Protocol: probe.TCP}}
	}
	if verdictOf(answered("x", "a"), d) != reach.Allow {
		t.Error("an answer from a backend is Allow")
	}
	if verdictOf(answered("y", "a"), d) != reach.Inconclusive {
		t.Error("an answer from a same-named pod of another namespace proves nothing")
	}
}

func TestRowsOfDestinationsAreNotProbed(t *testing.T) {
	src := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "x"}, Status: corev1.PodStatus{PodIP: "10.244.1.2"}}
	svc := Destination{Peer: reach.Peer{Namespace: "x", Pod: "svc/web"}, Host: "10.96.0.20"}
	tbl := reach.NewTable([]reach.Peer{PeerOf(src), svc.Peer}, reach.Inconclusive)
	markUnprobed(tbl, []*corev1.Pod{src})
	if tbl.Get(svc.Peer, PeerOf(src)) != reach.Any || tbl.Get(PeerOf(src), svc.Peer) != reach.Inconclusive {
		t.Error("only the source's row is left to probe")
	}
	m := observation{sources: []*corev1.Pod{src}, dests: []Destination{svc}, cases: []reach.Case{{Port: 8080, Protocol: corev1.ProtocolUDP}},
		tables: []*reach.Table{tbl}, opts: Options{TimeoutMs: 500}}
	batch, keys := m.batch(src)
	if len(batch.Probes) != 1 || batch.Probes[0].Target != "10.96.0.20:8080" || batch.Probes[0].Protocol != probe.UDP || batch.Probes[0].SourcePort == 0 || keys[0] != (cellKey{0, 0}) {
		t.Errorf("batch: %+v keys %v", batch, keys)
	}
}
