// Package matrix observes reachability: every source pod probes every
// destination on each case (port and protocol) in ONE batch per source, all
// sources at once, so a whole truth table costs about one probe timeout
// rather than one exec and one timeout per denied cell.
package matrix

import (
	"context"
	"fmt"
	"slices"
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

// Destination is a column of a matrix: a pod by its IP, or an address in
// front of pods — a Service's ClusterIP, a NodePort on a node, a
// LoadBalancer or Ingress address — that some backend pod answers.
type Destination struct {
	Peer reach.Peer // its name in tables
	Host string     // IP or name probed
	// Ports maps a case's port to the port probed at Host (a Service port
	// in front of a target port, a NodePort); unmapped cases use their own.
	Ports map[int32]int
	// Backends are the pods (namespace/name) that may answer: an answer
	// from any other pod proves nothing and the cell stays Inconclusive.
	Backends []string
}

// PodDestination is the pod itself, at its IP.
func PodDestination(p *corev1.Pod) Destination {
	return Destination{Peer: PeerOf(p), Host: p.Status.PodIP, Backends: []string{p.Namespace + "/" + p.Name}}
}

// ServiceDestination is a Service's ClusterIP, reached on its ports (the
// case's port is the backends' target port), answered by backends.
func ServiceDestination(svc *corev1.Service, backends ...*corev1.Pod) Destination {
	d := Destination{Peer: reach.Peer{Namespace: svc.Namespace, Pod: "svc/" + svc.Name}, Host: svc.Spec.ClusterIP, Ports: map[int32]int{}}
	for _, p := range svc.Spec.Ports {
		if p.TargetPort.IntValue() > 0 {
			d.Ports[int32(p.TargetPort.IntValue())] = int(p.Port)
		}
	}
	for _, b := range backends {
		d.Backends = append(d.Backends, b.Namespace+"/"+b.Name)
	}
	return d
}

func (d Destination) target(c reach.Case) string {
	port := int(c.Port)
	if mapped, ok := d.Ports[c.Port]; ok {
		port = mapped
	}
	return joinHostPort(d.Host, port)
}

// Observe probes every pair of pods for every case and returns one table
// per case, in the order of cases.
func Observe(ctx context.Context, cl *kube.Client, pods []*corev1.Pod, cases []reach.Case, opts Options) ([]*reach.Table, error) {
	dests := make([]Destination, len(pods))
	for i, p := range pods {
		dests[i] = PodDestination(p)
	}
	return ObserveSpec(ctx, cl, Spec{Sources: pods, Destinations: dests, Cases: cases}, opts)
}

// Spec is what a matrix covers: the pods that probe, what they probe, and
// on which ports and protocols.
type Spec struct {
	Sources      []*corev1.Pod
	Destinations []Destination
	Cases        []reach.Case
}

// ObserveSpec probes every destination from every source pod for every
// case and returns one table per case, in the order of cases. The tables'
// peers are the sources, then the destinations that are not sources;
// those rows hold Any: they are not probed from.
func ObserveSpec(ctx context.Context, cl *kube.Client, spec Spec, opts Options) ([]*reach.Table, error) {
	opts.defaults()
	sources, dests, cases := spec.Sources, spec.Destinations, spec.Cases
	var peers []reach.Peer
	for _, p := range sources {
		peers = append(peers, PeerOf(p))
	}
	for _, d := range dests {
		peers = append(peers, d.Peer)
	}
	tables := make([]*reach.Table, len(cases))
	for i := range cases {
		tables[i] = reach.NewTable(peers, reach.Inconclusive)
		markUnprobed(tables[i], sources)
	}
	m := observation{cl: cl, sources: sources, dests: dests, cases: cases, tables: tables, opts: opts}
	if err := m.inconclusive(ctx); err != nil {
		return tables, err
	}
	if opts.Expected != nil && reopenDenials(tables, opts.Expected) > 0 {
		return tables, m.inconclusive(ctx)
	}
	return tables, nil
}

// markUnprobed sets Any in the rows of peers that are not sources.
func markUnprobed(t *reach.Table, sources []*corev1.Pod) {
	isSource := map[reach.Peer]bool{}
	for _, p := range sources {
		isSource[PeerOf(p)] = true
	}
	for _, from := range t.Peers() {
		if isSource[from] {
			continue
		}
		for _, to := range t.Peers() {
			t.Set(from, to, reach.Any)
		}
	}
}

// observation is one ObserveTo in progress.
type observation struct {
	cl      *kube.Client
	sources []*corev1.Pod
	dests   []Destination
	cases   []reach.Case
	tables  []*reach.Table
	opts    Options
}

// inconclusive probes the inconclusive cells, in up to 1+Retries rounds.
func (m *observation) inconclusive(ctx context.Context) error {
	for round := 0; round <= m.opts.Retries; round++ {
		if m.round(ctx) == 0 {
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

// batch is the probes of one source for the cells still inconclusive.
func (m *observation) batch(src *corev1.Pod) (probe.Batch, []cellKey) {
	var batch probe.Batch
	var keys []cellKey
	for d, dst := range m.dests {
		for k, c := range m.cases {
			if m.tables[k].Get(PeerOf(src), dst.Peer) != reach.Inconclusive {
				continue
			}
			p := probe.Probe{
				ID:        fmt.Sprintf("%s/%d", dst.Peer, k),
				Protocol:  protocolOf(c),
				Target:    dst.target(c),
				TimeoutMs: m.opts.TimeoutMs,
			}
			if p.Protocol == probe.UDP {
				p.SourcePort = udpSourcePorts.take(src.Namespace + "/" + src.Name)
			}
			batch.Probes = append(batch.Probes, p)
			keys = append(keys, cellKey{d, k})
		}
	}
	batch.Concurrency = len(batch.Probes)
	return batch, keys
}

// round probes the cells still inconclusive, one batch per source, all
// sources at once; it returns how many remain inconclusive.
func (m *observation) round(ctx context.Context) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	pending := 0
	for _, src := range m.sources {
		batch, keys := m.batch(src)
		if len(batch.Probes) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := remote.Run(ctx, m.cl, remote.Pod{Namespace: src.Namespace, Name: src.Name, Container: m.opts.Container}, batch)
			mu.Lock()
			defer mu.Unlock()
			for i, key := range keys {
				v := reach.Inconclusive
				if err == nil {
					v = verdictOf(res.Results[i], m.dests[key.dst])
				}
				if v == reach.Inconclusive {
					pending++
				}
				m.tables[key.kase].Set(PeerOf(src), m.dests[key.dst].Peer, v)
			}
		}()
	}
	wg.Wait()
	return pending
}

// verdictOf maps a probe result to a truth-table verdict. A connection
// answered by a pod that is not one of the destination's backends (a stale
// IP, a wrong endpoint) proves nothing.
func verdictOf(r probe.Result, dst Destination) reach.Verdict {
	switch r.Verdict {
	case probe.Connected:
		if r.Echo == nil || !slices.Contains(dst.Backends, r.Echo.Namespace+"/"+r.Echo.Pod) {
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
