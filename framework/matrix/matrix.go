// Package matrix observes reachability: every source pod probes every
// destination on each case (port and protocol) in ONE batch per source, all
// sources at once, so a whole truth table costs about one probe timeout
// rather than one exec and one timeout per denied cell.
package matrix

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
	"github.com/netconform/netconform/framework/reach"
	"github.com/netconform/netconform/framework/timeouts"
)

// Options tune an observation.
type Options struct {
	// TimeoutMs is the per-probe timeout: how long a denied cell costs.
	TimeoutMs int
	// Container is the agent container in every pod.
	Container string
	// Retries re-probes cells that came back inconclusive, at most this
	// many extra rounds (they never count as allowed or denied).
	Retries int
	// Expected, when set (one table per case), makes a denial count only
	// when it repeats: a cell expected Allow that timed out or was refused
	// is probed once more (a datagram lost on a starved node is not a
	// policy). An observed Allow is never re-probed: no artifact turns a
	// dropped packet into an answered connection.
	Expected []*reach.Table
}

func (o *Options) defaults() {
	if o.TimeoutMs <= 0 {
		o.TimeoutMs = timeouts.Ms(timeouts.Current.Attempt)
	}
	if o.Container == "" {
		o.Container = "agent"
	}
	if o.Retries == 0 {
		o.Retries = 2
	}
}

// PeerOf names a pod in truth tables.
func PeerOf(p *corev1.Pod) reach.Peer { return reach.Peer{Namespace: p.Namespace, Pod: p.Name} }

// Observe probes every pair of pods for every case and returns one table
// per case, in the order of cases.
func Observe(ctx context.Context, cl *kube.Client, pods []*corev1.Pod, cases []reach.Case, opts Options) ([]*reach.Table, error) {
	opts.defaults()
	peers := make([]reach.Peer, len(pods))
	for i, p := range pods {
		peers[i] = PeerOf(p)
	}
	tables := make([]*reach.Table, len(cases))
	for i := range cases {
		tables[i] = reach.NewTable(peers, reach.Inconclusive)
	}
	if err := observeInconclusive(ctx, cl, pods, cases, tables, opts); err != nil {
		return tables, err
	}
	if opts.Expected != nil && reopenDenials(tables, opts.Expected) > 0 {
		return tables, observeInconclusive(ctx, cl, pods, cases, tables, opts)
	}
	return tables, nil
}

// observeInconclusive probes the inconclusive cells, in up to 1+Retries rounds.
func observeInconclusive(ctx context.Context, cl *kube.Client, pods []*corev1.Pod, cases []reach.Case, tables []*reach.Table, opts Options) error {
	for round := 0; round <= opts.Retries; round++ {
		pending := observeRound(ctx, cl, pods, cases, tables, opts)
		if pending == 0 {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// reopenDenials marks Inconclusive every observed Deny that expected says
// is Allow, and returns how many it reopened.
func reopenDenials(observed, expected []*reach.Table) int {
	n := 0
	for k, t := range observed {
		if k >= len(expected) {
			break
		}
		for _, from := range t.Peers() {
			for _, to := range t.Peers() {
				if t.Get(from, to) == reach.Deny && expected[k].Has(from) && expected[k].Has(to) && expected[k].Get(from, to) == reach.Allow {
					t.Set(from, to, reach.Inconclusive)
					n++
				}
			}
		}
	}
	return n
}

type cellKey struct {
	dst  int
	kase int
}

// observeRound probes the cells still inconclusive; it returns how many remain so.
func observeRound(ctx context.Context, cl *kube.Client, pods []*corev1.Pod, cases []reach.Case, tables []*reach.Table, opts Options) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	pending := 0
	for _, src := range pods {
		var batch probe.Batch
		var keys []cellKey
		for d, dst := range pods {
			for k, c := range cases {
				if tables[k].Get(PeerOf(src), PeerOf(dst)) != reach.Inconclusive {
					continue
				}
				p := probe.Probe{
					ID:        fmt.Sprintf("%s/%d", dst.Name, k),
					Protocol:  protocolOf(c),
					Target:    joinHostPort(dst.Status.PodIP, int(c.Port)),
					TimeoutMs: opts.TimeoutMs,
				}
				if p.Protocol == probe.UDP {
					p.SourcePort = udpSourcePorts.take(src.Namespace + "/" + src.Name)
				}
				batch.Probes = append(batch.Probes, p)
				keys = append(keys, cellKey{d, k})
			}
		}
		if len(batch.Probes) == 0 {
			continue
		}
		batch.Concurrency = len(batch.Probes)
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := remote.Run(ctx, cl, remote.Pod{Namespace: src.Namespace, Name: src.Name, Container: opts.Container}, batch)
			mu.Lock()
			defer mu.Unlock()
			for i, key := range keys {
				v := reach.Inconclusive
				if err == nil {
					v = verdictOf(res.Results[i], pods[key.dst])
				}
				if v == reach.Inconclusive {
					pending++
				}
				tables[key.kase].Set(PeerOf(src), PeerOf(pods[key.dst]), v)
			}
		}()
	}
	wg.Wait()
	return pending
}

// verdictOf maps a probe result to a truth-table verdict. A connection
// answered by another pod than the destination (a stale IP) proves nothing.
func verdictOf(r probe.Result, dst *corev1.Pod) reach.Verdict {
	switch r.Verdict {
	case probe.Connected:
		if r.Echo == nil || r.Echo.Pod != dst.Name {
			return reach.Inconclusive
		}
		return reach.Allow
	case probe.Refused, probe.TimedOut:
		return reach.Deny
	}
	return reach.Inconclusive
}

func protocolOf(c reach.Case) probe.Protocol {
	switch c.Protocol {
	case corev1.ProtocolUDP:
		return probe.UDP
	case corev1.ProtocolSCTP:
		return probe.SCTP
	}
	return probe.TCP
}

func joinHostPort(ip string, port int) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:" + strconv.Itoa(port)
	}
	return ip + ":" + strconv.Itoa(port)
}
