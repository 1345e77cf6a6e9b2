package remote_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
)

// probesPerOp is the size of the unit of work both benchmarks do: the
// probes one source makes in a small matrix row.
const probesPerOp = 20

// benchPods starts a client and a server agent on the cluster named by
// NETCONFORM_BENCH_KUBECONFIG (the benchmarks skip without one).
func benchPods(b *testing.B) (*kube.Client, remote.Pod, string) {
	path := os.Getenv("NETCONFORM_BENCH_KUBECONFIG")
	if path == "" {
		b.Skip("set NETCONFORM_BENCH_KUBECONFIG to a cluster to run the probe benchmarks")
	}
	ctx := context.Background()
	cl, err := kube.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	created := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "nc-bench-"}}
	if err := cl.CreateLabelled(ctx, created, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cl.Delete(context.Background(), created) })
	var ips = map[string]string{}
	for _, name := range []string{"client", "server"} {
		if err := cl.CreateLabelled(ctx, agent.Pod(name, created.Name), "bench"); err != nil {
			b.Fatal(err)
		}
		p, err := cl.WaitPodReady(ctx, created.Name, name, 2*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		ips[name] = p.Status.PodIP
	}
	return cl, remote.Pod{Namespace: created.Name, Name: "client", Container: agent.Container}, ips["server"]
}

func probes(server string) []probe.Probe {
	out := make([]probe.Probe, probesPerOp)
	for i := range out {
		out[i] = probe.Probe{ID: fmt.Sprint(i), Protocol: probe.TCP, Target: fmt.Sprintf("%s:%d", server, agent.Port)}
	}
	return out
}

// BenchmarkBatch: all probes of a row in one batch, on the pod's long-lived exec.
func BenchmarkBatch(b *testing.B) { benchRows(b, remote.Run) }

// BenchmarkBatchInExec: the same batch in an exec of its own each time,
// as with an exec per batch.
func BenchmarkBatchInExec(b *testing.B) { benchRows(b, remote.RunInExec) }

// benchRows sends a row's probes as one batch per iteration through run.
func benchRows(b *testing.B, run func(context.Context, *kube.Client, remote.Pod, probe.Batch) (probe.BatchResult, error)) {
	cl, client, server := benchPods(b)
	ps := probes(server)
	b.ResetTimer()
	for b.Loop() {
		res, err := run(context.Background(), cl, client, probe.Batch{Probes: ps})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res.Results {
			if r.Verdict != probe.Connected {
				b.Fatalf("probe %s: %s %s", r.ID, r.Verdict, r.Error)
			}
		}
	}
	b.ReportMetric(float64(b.N*probesPerOp)/b.Elapsed().Seconds(), "probes/s")
}

// BenchmarkExecPerProbe: the same probes, one exec each, as tools that
// shell into a pod per cell do.
func BenchmarkExecPerProbe(b *testing.B) {
	cl, client, server := benchPods(b)
	ps := probes(server)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range ps {
			res, err := remote.RunInExec(context.Background(), cl, client, probe.Batch{Probes: []probe.Probe{p}})
			if err != nil {
				b.Fatal(err)
			}
			if res.Results[0].Verdict != probe.Connected {
				b.Fatalf("probe %s: %s", p.ID, res.Results[0].Verdict)
			}
		}
	}
	b.ReportMetric(float64(b.N*probesPerOp)/b.Elapsed().Seconds(), "probes/s")
}
