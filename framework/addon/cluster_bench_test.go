package addon_test

import (
	"context"
	"os"
	"testing"
	"time"

	_ "github.com/netconform/netconform/framework/addon" // registers the add-ons with package cluster
	"github.com/netconform/netconform/framework/cluster"
)

// BenchmarkClusterUp (here, where the add-ons are registered, not in
// package cluster, whose tests want none) creates a 3-node kube-router
// cluster with MetalLB,
// Traefik and HAProxy Ingress as a matrix row does, then creates it again
// over itself (Reuse), which loads the images into the running nodes, and
// deletes it. It reports the whole creation ("s-up/op"), its node image
// step (the node image holding the images, cached after the first
// iteration) and kind's creation, and what loading the same images into
// the nodes costs instead ("s-load-images/op"). It needs the images built
// (make images) and NETCONFORM_BENCH_CLUSTER=1: it makes and deletes a
// kind cluster named nc-bench.
func BenchmarkClusterUp(b *testing.B) {
	if os.Getenv("NETCONFORM_BENCH_CLUSTER") != "1" {
		b.Skip("set NETCONFORM_BENCH_CLUSTER=1 to create and delete kind cluster nc-bench")
	}
	ctx := context.Background()
	addOns, err := cluster.LookupAddOns("metallb", "traefik", "haproxy")
	if err != nil {
		b.Fatal(err)
	}
	cfg := cluster.Config{Name: "nc-bench", CNI: "kube-router", AddOns: addOns, Log: b.Logf}
	var up, nodeImage, kind, load time.Duration
	for b.Loop() {
		start := time.Now()
		c, err := cluster.Create(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		up += time.Since(start)
		b.StopTimer()
		nodeImage += step(c, "node image")
		kind += step(c, "kind create")
		reuse := cfg
		reuse.Reuse = true
		again, err := cluster.Create(ctx, reuse)
		if err == nil {
			load += step(again, "load images")
		}
		if derr := cluster.Delete(ctx, cfg.Name, "", b.Logf); derr != nil || err != nil {
			b.Fatal(err, derr)
		}
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(up.Seconds()/n, "s-up/op")
	b.ReportMetric(nodeImage.Seconds()/n, "s-node-image/op")
	b.ReportMetric(kind.Seconds()/n, "s-kind-create/op")
	b.ReportMetric(load.Seconds()/n, "s-load-images/op")
}

// step is how long c's step of that name took.
func step(c *cluster.Cluster, name string) time.Duration {
	for _, t := range c.Timings {
		if t.Name == name {
			return t.Duration
		}
	}
	return 0
}
