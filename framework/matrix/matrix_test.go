package matrix

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/reach"
)

func TestVerdictOf(t *testing.T) {
	dst := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "b"}}
	echo := func(pod string) *probe.Echo {
		return &probe.Echo{Identity: probe.Identity{Pod: pod}, Protocol: probe.TCP}
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
