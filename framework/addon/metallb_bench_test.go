package addon_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// benchEvery is how often the benchmark looks: finer than the suites'
// polling, since it measures the wait itself.
const benchEvery = 20 * time.Millisecond

// BenchmarkLoadBalancerFirstAnswer: from the creation of a Service of type
// LoadBalancer to the first TCP answer on its address from this host (the
// runner's), over one ready agent pod, on the cluster named by
// NETCONFORM_BENCH_KUBECONFIG; it skips without one. Reported: seconds
// until status.loadBalancer holds the address, and until it answers.
func BenchmarkLoadBalancerFirstAnswer(b *testing.B) {
	path := os.Getenv("NETCONFORM_BENCH_KUBECONFIG")
	if path == "" {
		b.Skip("set NETCONFORM_BENCH_KUBECONFIG to a cluster with a LoadBalancer implementation to run it")
	}
	ctx := context.Background()
	cl, err := kube.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "nc-bench-lb-"}}
	if err := cl.CreateLabelled(ctx, ns, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cl.Delete(context.Background(), ns) })
	pod := agent.Pod("web", ns.Name, agent.WithLabels(map[string]string{"bench": "lb"}))
	if err := cl.CreateLabelled(ctx, pod, "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := cl.WaitPodReady(ctx, ns.Name, pod.Name, timeouts.Current.PodReady); err != nil {
		b.Fatal(err)
	}
	var toAddress, toAnswer time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		svc := &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("lb-%d", i), Namespace: ns.Name},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"bench": "lb"},
				Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(agent.Port), Protocol: corev1.ProtocolTCP}}},
		}
		start := time.Now()
		if err := cl.CreateLabelled(ctx, svc, "bench"); err != nil {
			b.Fatal(err)
		}
		ip, err := waitAddress(ctx, cl, svc)
		if err != nil {
			b.Fatal(err)
		}
		toAddress += time.Since(start)
		if err := waitAnswer(ctx, ip); err != nil {
			b.Fatal(err)
		}
		toAnswer += time.Since(start)
		b.StopTimer()
		if err := cl.Delete(ctx, svc); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(toAddress.Seconds()/float64(b.N), "s-to-address")
	b.ReportMetric(toAnswer.Seconds()/float64(b.N), "s-to-answer")
}

func waitAddress(ctx context.Context, cl *kube.Client, svc *corev1.Service) (string, error) {
	tick := time.NewTicker(benchEvery)
	defer tick.Stop()
	deadline := time.Now().Add(timeouts.Current.LoadBalancer)
	for ; time.Now().Before(deadline); <-tick.C {
		s, err := cl.Clientset.CoreV1().Services(svc.Namespace).Get(ctx, svc.Name, metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return "", err
		}
		if err == nil && len(s.Status.LoadBalancer.Ingress) > 0 && s.Status.LoadBalancer.Ingress[0].IP != "" {
			return s.Status.LoadBalancer.Ingress[0].IP, nil
		}
	}
	return "", fmt.Errorf("Service %s/%s: no address in status.loadBalancer within %s", svc.Namespace, svc.Name, timeouts.Current.LoadBalancer)
}

func waitAnswer(ctx context.Context, ip string) error {
	target := fmt.Sprintf("%s:80", ip)
	tick := time.NewTicker(benchEvery)
	defer tick.Stop()
	deadline := time.Now().Add(timeouts.Current.Probe)
	var last probe.Result
	for ; time.Now().Before(deadline); <-tick.C {
		last = probe.One(ctx, probe.Probe{ID: "lb", Protocol: probe.TCP, Target: target, TimeoutMs: 200})
		if last.Verdict == probe.Connected {
			return nil
		}
	}
	return fmt.Errorf("%s did not answer within %s: %s %s", target, timeouts.Current.Probe, last.Verdict, last.Error)
}
