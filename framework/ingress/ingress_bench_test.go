package ingress_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
)

// BenchmarkIngressToFirstRequest measures, per IngressClass of the cluster
// named by NETCONFORM_BENCH_KUBECONFIG, the time from creating an Ingress
// (a new host on a ready backend) to the first request the controller
// routes to that backend, sent from this host through the controller's
// LoadBalancer address or NodePort. Skipped without a cluster.
func BenchmarkIngressToFirstRequest(b *testing.B) {
	path := os.Getenv("NETCONFORM_BENCH_KUBECONFIG")
	if path == "" {
		b.Skip("set NETCONFORM_BENCH_KUBECONFIG to a cluster with Ingress controllers to run the Ingress benchmark")
	}
	ctx := context.Background()
	cl, err := kube.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	classes, err := ingress.Classes(ctx, cl.Clientset)
	if err != nil || len(classes) == 0 {
		b.Fatalf("no IngressClass to measure (%v)", err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "nc-bench-ingress-", Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted"}}}
	if err := cl.CreateLabelled(ctx, ns, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cl.Delete(context.Background(), ns) })
	backend := agent.Pod("backend", ns.Name, fixtures.InGroup("backend"), fixtures.HTTPBackend())
	if err := cl.CreateLabelled(ctx, backend, "bench"); err != nil {
		b.Fatal(err)
	}
	if err := cl.CreateLabelled(ctx, fixtures.AgentService("backend", ns.Name, "backend"), "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := cl.WaitPodReady(ctx, ns.Name, backend.Name, 2*time.Minute); err != nil {
		b.Fatal(err)
	}
	nodeIPs := map[string]string{}
	nodes, err := cl.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range nodes.Items {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP && net.ParseIP(a.Address).To4() != nil {
				nodeIPs[n.Name] = a.Address
			}
		}
	}
	for _, class := range classes {
		b.Run(class, func(b *testing.B) {
			ctl, err := ingress.Find(ctx, cl.Clientset, class, "")
			if err != nil {
				b.Fatal(err)
			}
			var entry ingress.Entry
			for _, e := range ctl.Entries(nodeIPs) {
				if !e.InCluster {
					entry = e
					break
				}
			}
			if entry.HTTP == "" {
				b.Fatalf("%s: no address reachable from this host", ctl)
			}
			want := &ingress.Backend{Namespace: ns.Name, Pod: backend.Name}
			var total time.Duration
			i := 0
			for b.Loop() {
				i++
				host := fmt.Sprintf("bench-%d.%s.example.net", i, ns.Name)
				in := fixtures.Ingress(fmt.Sprintf("bench-%s-%d", class, i), ns.Name, class,
					fixtures.WithRule(host, fixtures.Path("/", networkingv1.PathTypePrefix, "backend")))
				route := ingress.Route{Host: host, Path: "/", Want: want}
				start := time.Now()
				if err := cl.CreateLabelled(ctx, in, "bench"); err != nil {
					b.Fatal(err)
				}
				total += firstRouted(ctx, b, ctl, entry, route, start)
				if err := cl.Delete(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(i), "ms/first-routed")
		})
	}
}

// firstRouted polls the route every 20 ms (the measurement's resolution)
// until it holds, for at most two minutes, and returns the time since start.
func firstRouted(ctx context.Context, b *testing.B, ctl *ingress.Controller, entry ingress.Entry, route ingress.Route, start time.Time) time.Duration {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		res := probe.One(ctx, route.Probe("bench", entry, 2*time.Second))
		why := route.Check(entry, res)
		if why == "" {
			return time.Since(start)
		}
		select {
		case <-ctx.Done():
			b.Fatalf("%s: not routed within 2m: %s", ctl, why)
		case <-tick.C:
		}
	}
}
