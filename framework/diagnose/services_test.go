package diagnose

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/kube"
)

// endpointPort is one port of an EndpointSlice.
func endpointPort(name string, proto corev1.Protocol, n int32) discoveryv1.EndpointPort {
	return discoveryv1.EndpointPort{Name: &name, Protocol: &proto, Port: &n}
}

func TestEchoPortPrefersTheEchoPort(t *testing.T) {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port := endpointPort
	for _, c := range []struct {
		ports []discoveryv1.EndpointPort
		want  int
	}{
		{[]discoveryv1.EndpointPort{port("http", tcp, 8090), port("echo-udp", udp, 8080), port("echo-tcp", tcp, 8080)}, 8080},
		{[]discoveryv1.EndpointPort{port("echo-udp", udp, 8080), port("web", tcp, 9000)}, 9000},
		{[]discoveryv1.EndpointPort{port("echo-udp", udp, 8080)}, 0},
	} {
		if got := echoPort(c.ports); got != c.want {
			t.Errorf("echoPort(%v) = %d, want %d", c.ports, got, c.want)
		}
	}
}

// The CNI named when kube-proxy is absent is the one passed in: the
// diagnosis reads no state of the run.
func TestServiceProxyNamesTheCNIPassedIn(t *testing.T) {
	cl := &kube.Client{Clientset: fake.NewClientset()}
	got := ServiceProxy(context.Background(), cl, cni.Detected{Name: "cilium", Version: "v1.18", Namespace: "kube-system", DaemonSet: "cilium", Ready: 3, Desired: 3})
	if !strings.Contains(got, "no kube-proxy DaemonSet in kube-system") || !strings.Contains(got, "cilium v1.18 (DaemonSet kube-system/cilium, 3/3 agents ready)") {
		t.Errorf("ServiceProxy = %q", got)
	}
	ready := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "kube-proxy", Namespace: "kube-system"},
		Status: appsv1.DaemonSetStatus{NumberReady: 2, DesiredNumberScheduled: 3}}
	cl = &kube.Client{Clientset: fake.NewClientset(ready)}
	if got := ServiceProxy(context.Background(), cl, cni.Detected{Name: "kube-router"}); got != "kube-proxy: 2 of 3 pods ready" {
		t.Errorf("ServiceProxy = %q", got)
	}
}
