package probe

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"
)

// silentTCP accepts and holds connections without replying, so every probe
// to it takes the full timeout.
func silentTCP(t *testing.T) string {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	return serveTCP(t, func(c net.Conn) {
		defer c.Close()
		<-done
	})
}

func TestRunConcurrentAndOrdered(t *testing.T) {
	t.Parallel()
	slow, refused := silentTCP(t), closedPort(t, "tcp")
	b := Batch{Concurrency: 128}
	for i := range 200 {
		target := refused
		if i%2 == 0 {
			target = slow
		}
		b.Probes = append(b.Probes, Probe{ID: fmt.Sprint(i), Protocol: TCP, Target: target, TimeoutMs: testTimeoutMs})
	}
	start := time.Now()
	res := Run(context.Background(), b)
	elapsed := time.Since(start)
	timeout := testTimeoutMs * time.Millisecond
	t.Logf("200 probes in %v (timeout %v)", elapsed, timeout)
	if elapsed > 3*timeout {
		t.Errorf("batch took %v, want < %v: probes are not running concurrently", elapsed, 3*timeout)
	}
	if elapsed < timeout*9/10 {
		t.Errorf("batch took %v, less than one timeout: slow probes did not wait", elapsed)
	}
	if res.ElapsedMs <= 0 {
		t.Errorf("ElapsedMs = %v", res.ElapsedMs)
	}
	if len(res.Results) != len(b.Probes) {
		t.Fatalf("%d results for %d probes", len(res.Results), len(b.Probes))
	}
	for i, r := range res.Results {
		want := Refused
		if i%2 == 0 {
			want = Inconclusive // connected, then silence
		}
		if r.ID != fmt.Sprint(i) || r.Verdict != want {
			t.Fatalf("result %d = {ID %s, %s}, want {ID %d, %s}: order or verdict wrong", i, r.ID, r.Verdict, i, want)
		}
	}
}

func TestRunBoundsConcurrency(t *testing.T) {
	t.Parallel()
	slow := silentTCP(t)
	const n, timeoutMs = 3, 100
	b := Batch{Concurrency: 1}
	for range n {
		b.Probes = append(b.Probes, Probe{Protocol: TCP, Target: slow, TimeoutMs: timeoutMs})
	}
	if res := Run(context.Background(), b); res.ElapsedMs < n*timeoutMs*0.9 {
		t.Errorf("%d probes at concurrency 1 took %.0fms, want >= %dms", n, res.ElapsedMs, n*timeoutMs)
	}
}

func TestRunEmptyAndCancelled(t *testing.T) {
	t.Parallel()
	if res := Run(context.Background(), Batch{}); res.Results == nil || len(res.Results) != 0 {
		t.Errorf("empty batch: results = %#v, want empty non-nil slice", res.Results)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Run(ctx, Batch{Probes: []Probe{{Protocol: TCP, Target: silentTCP(t), TimeoutMs: 5000}}})
	if v := res.Results[0].Verdict; v == Connected || res.ElapsedMs > 1000 {
		t.Errorf("cancelled batch: verdict %s after %.0fms", v, res.ElapsedMs)
	}
}
