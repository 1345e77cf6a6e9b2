package probe

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Run executes all probes of b concurrently, at most b.Concurrency at a time,
// each bounded by its own timeout, and returns the results in input order.
// Run never fails as a whole: every problem is reported in the probe's
// Result. Source is left empty; the agent fills in its own identity.
//
// Cancelling ctx ends the outstanding probes early (their verdicts are then
// Failed or TimedOut, with the context error).
func Run(ctx context.Context, b Batch) BatchResult {
	start := time.Now()
	conc := b.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	conc = min(conc, MaxConcurrency, max(len(b.Probes), 1))

	results := make([]Result, len(b.Probes))
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, p := range b.Probes {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = One(ctx, p)
		}()
	}
	wg.Wait()
	return BatchResult{Results: results, ElapsedMs: ms(time.Since(start))}
}

// One executes a single probe with its own timeout.
func One(ctx context.Context, p Probe) Result {
	timeout := time.Duration(p.TimeoutMs) * time.Millisecond
	if p.TimeoutMs <= 0 {
		timeout = DefaultTimeoutMs * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	start := time.Now()
	var r Result
	proto, err := ParseProtocol(string(p.Protocol))
	switch {
	case err != nil:
		r = fail(err)
	case p.Target == "":
		r = fail(fmt.Errorf("probe %q: empty target", p.ID))
	case proto == TCP:
		r = probeTCP(ctx, p.Target)
	case proto == SCTP:
		r = probeSCTP(ctx, p.Target)
	case proto == UDP:
		r = probeUDP(ctx, p)
	case proto == HTTP:
		r = probeHTTP(ctx, p)
	case proto == DNS && p.Server != "":
		r = probeDNSAt(ctx, p.Server, p.Target, p.DNSType)
	case proto == DNS:
		r = probeDNS(ctx, p.Target, p.DNSType)
	}
	r.ID = p.ID
	r.LatencyMs = ms(time.Since(start))
	return r
}

// fail builds a result whose verdict follows from how err failed.
func fail(err error) Result {
	return Result{Verdict: Classify(err), Error: err.Error()}
}

// inconclusive builds a result for "something answered, but not usably".
func inconclusive(format string, args ...any) Result {
	return Result{Verdict: Inconclusive, Error: fmt.Sprintf(format, args...)}
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
