package mesh_test

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/mesh"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
)

// benchMesh deploys an agent and a hostNetwork agent on every node of the
// cluster named by NETCONFORM_BENCH_KUBECONFIG; the benchmarks skip
// without one.
func benchMesh(b *testing.B) (*kube.Client, *mesh.Mesh) {
	path := os.Getenv("NETCONFORM_BENCH_KUBECONFIG")
	if path == "" {
		b.Skip("set NETCONFORM_BENCH_KUBECONFIG to a cluster to run the mesh benchmarks")
	}
	ctx := context.Background()
	cl, err := kube.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	created := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "nc-bench-mesh-", Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "privileged"}}}
	if err := cl.CreateLabelled(ctx, created, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cl.Delete(context.Background(), created) })
	nodes, err := cl.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var pods []*corev1.Pod
	for _, n := range nodes.Items {
		pods = append(pods, agent.Pod("agent-"+n.Name, created.Name, agent.OnNode(n.Name)),
			agent.Pod("host-"+n.Name, created.Name, agent.OnNode(n.Name), agent.WithHostNetwork()))
	}
	for _, p := range pods {
		if err := cl.CreateLabelled(ctx, p, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	m := &mesh.Mesh{}
	for _, p := range pods {
		ready, err := cl.WaitPodReady(ctx, p.Namespace, p.Name, 2*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		a := mesh.Agent{Node: ready.Spec.NodeName, IP: ready.Status.PodIP, Port: agent.Port, HTTPPort: agent.HTTPPort,
			Pod: remote.Pod{Namespace: ready.Namespace, Name: ready.Name, Container: agent.Container}}
		if ready.Spec.HostNetwork {
			a.Port, a.HTTPPort = agent.HostNetworkPort, 18090
			m.Hosts = append(m.Hosts, a)
		} else {
			m.Pods = append(m.Pods, a)
		}
	}
	return cl, m
}

func benchChecks(b *testing.B, checks []mesh.Check) {
	cl, m := benchMesh(b)
	run := mesh.Exec(cl)
	probes := 0
	b.ResetTimer()
	for b.Loop() {
		obs, err := mesh.Observe(context.Background(), run, m, checks, mesh.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if r := obs.Report(); r != "" {
			b.Fatal(r)
		}
		probes += obs.Probes
	}
	b.ReportMetric(float64(len(m.Pods)), "nodes")
	b.ReportMetric(float64(probes)/float64(b.N), "probes/op")
	b.ReportMetric(float64(probes)/b.Elapsed().Seconds(), "probes/s")
}

// BenchmarkFullMesh: pod → pod TCP and UDP with no NAT, node → pod and
// pod → node over TCP and UDP, on every ordered pair of nodes: one exec
// per source agent, all at once.
func BenchmarkFullMesh(b *testing.B) {
	benchChecks(b, []mesh.Check{
		mesh.PodToPod(probe.TCP), mesh.PodToPod(probe.UDP),
		mesh.NodeToPod(probe.TCP), mesh.NodeToPod(probe.UDP),
		mesh.PodToNode(probe.TCP), mesh.PodToNode(probe.UDP),
	})
}

// BenchmarkLargePackets: MTU-filling datagrams and a 4 MiB TCP transfer
// between pods on every pair of distinct nodes.
func BenchmarkLargePackets(b *testing.B) {
	benchChecks(b, []mesh.Check{mesh.FullDatagram(), mesh.Transfer(4 << 20)})
}
