package mesh

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
)

// Runner runs one batch in one agent (remote.Run in production; tests
// pass a fake).
type Runner func(ctx context.Context, pod remote.Pod, b probe.Batch) (probe.BatchResult, error)

// Exec is the Runner that execs into agents through the API server.
func Exec(cl *kube.Client) Runner {
	return func(ctx context.Context, pod remote.Pod, b probe.Batch) (probe.BatchResult, error) {
		return remote.Run(ctx, cl, pod, b)
	}
}

// Options tune an observation.
type Options struct {
	// Retries re-probes failed pairs this many more rounds (default 1): a
	// datagram lost once on a busy node is not a broken data plane. Only
	// failures that repeat are reported.
	Retries int
}

// Observation is the outcome of one run of checks over the mesh.
type Observation struct {
	Tables []*Table
	// Envs is what each source agent reported of itself, by pod name.
	Envs map[string]probe.Env
	// Execs and Probes count the work done; Elapsed is the wall time.
	Execs, Probes int
	Elapsed       time.Duration
}

// FailedPairs counts the failed pairs over every check.
func (o *Observation) FailedPairs() int {
	n := 0
	for _, t := range o.Tables {
		n += len(t.Failed())
	}
	return n
}

// Report is "" when every check passed on every pair; otherwise the
// reports of the failed checks' tables.
func (o *Observation) Report() string {
	var out string
	for _, t := range o.Tables {
		if r := t.Report(); r != "" {
			out += r
		}
	}
	return out
}

// planned is one probe of a source's batch and the cell it fills.
type planned struct {
	check int
	dst   Agent
	probe probe.Probe
}

// plan builds the batch of every source agent: for every check starting
// at the source's role, one probe to the check's target agent on every
// node (every other node, for CrossNode checks). pending filters the
// cells to probe (nil: all). Sources without probes are left out.
func plan(m *Mesh, checks []Check, envs map[string]probe.Env, pending func(check int, from, to string) bool) map[string][]planned {
	out := map[string][]planned{}
	for k, c := range checks {
		for _, src := range m.agents(c.From) {
			for _, dst := range m.agents(c.To) {
				if c.CrossNode && src.Node == dst.Node {
					continue
				}
				if pending != nil && !pending(k, src.Node, dst.Node) {
					continue
				}
				p := probe.Probe{
					ID:        fmt.Sprintf("%d %s", k, dst.Node),
					Protocol:  c.Protocol,
					Target:    c.target(dst),
					TimeoutMs: c.timeoutMs(),
				}
				if c.Payload != nil {
					p.PayloadBytes = c.Payload(envs[src.Pod.Name])
					// Payloads are sized for IPv4; IPv6's header is 20 bytes longer.
					if p.PayloadBytes > 0 && c.Protocol == probe.UDP && strings.Contains(src.IP, ":") {
						p.PayloadBytes -= 20
					}
				}
				out[src.Pod.Name] = append(out[src.Pod.Name], planned{k, dst, p})
			}
		}
	}
	return out
}

// Observe runs every check over every pair of nodes: one batch per source
// agent, all sources at once, then again for the failed pairs (Retries).
func Observe(ctx context.Context, run Runner, m *Mesh, checks []Check, opts Options) (*Observation, error) {
	if opts.Retries == 0 {
		opts.Retries = 1
	}
	start := time.Now()
	obs := &Observation{Envs: map[string]probe.Env{}}
	nodes := m.Nodes()
	for _, c := range checks {
		obs.Tables = append(obs.Tables, newTable(c, nodes, m.describer(c)))
	}
	if needsEnv(checks) {
		if err := obs.learnEnvs(ctx, run, m, checks); err != nil {
			return obs, err
		}
	}
	var pending func(int, string, string) bool
	for round := 0; round <= opts.Retries; round++ {
		batches := plan(m, checks, obs.Envs, pending)
		if len(batches) == 0 {
			break
		}
		obs.runRound(ctx, run, m, checks, batches)
		if ctx.Err() != nil {
			return obs, ctx.Err()
		}
		pending = func(k int, from, to string) bool {
			o := obs.Tables[k].Get(from, to).Outcome
			return o != OK && o != Skipped
		}
	}
	obs.Elapsed = time.Since(start)
	return obs, nil
}

func needsEnv(checks []Check) bool {
	for _, c := range checks {
		if c.Payload != nil {
			return true
		}
	}
	return false
}

// learnEnvs asks every source of a payload check for its environment with
// an empty batch (one exec each, all at once): a payload is sized from
// the MTU of the interface it leaves by.
func (o *Observation) learnEnvs(ctx context.Context, run Runner, m *Mesh, checks []Check) error {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	seen := map[string]bool{}
	for _, c := range checks {
		if c.Payload == nil {
			continue
		}
		for _, src := range m.agents(c.From) {
			if seen[src.Pod.Name] {
				continue
			}
			seen[src.Pod.Name] = true
			wg.Go(func() {
				res, err := run(ctx, src.Pod, probe.Batch{})
				mu.Lock()
				defer mu.Unlock()
				o.Execs++
				switch {
				case err != nil && firstErr == nil:
					firstErr = fmt.Errorf("asking the agent on %s for its MTU: %w", src.Node, err)
				case err == nil && res.Env != nil:
					o.Envs[src.Pod.Name] = *res.Env
				}
			})
		}
	}
	wg.Wait()
	return firstErr
}

// runRound runs one batch per source at once and fills in the cells.
func (o *Observation) runRound(ctx context.Context, run Runner, m *Mesh, checks []Check, batches map[string][]planned) {
	sources := map[string]Agent{}
	for _, r := range []Role{PodRole, HostRole} {
		for _, a := range m.agents(r) {
			sources[a.Pod.Name] = a
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, probes := range batches {
		src := sources[name]
		batch := probe.Batch{Concurrency: len(probes)}
		for _, p := range probes {
			batch.Probes = append(batch.Probes, p.probe)
		}
		wg.Go(func() {
			res, err := run(ctx, src.Pod, batch)
			mu.Lock()
			defer mu.Unlock()
			o.Execs++
			o.Probes += len(probes)
			if err == nil && res.Env != nil {
				o.Envs[name] = *res.Env
			}
			for i, p := range probes {
				c := checks[p.check]
				var cell Cell
				if err != nil {
					cell = Cell{Outcome: Inconclusive, Why: "no result from the agent: " + err.Error()}
				} else {
					cell = classify(m, c, src, p.dst, res.Results[i])
				}
				if p.probe.PayloadBytes > 0 || c.Payload != nil {
					cell = withPayload(cell, p.probe.PayloadBytes, o.Envs[name], src.Node)
				}
				o.Tables[p.check].set(src.Node, p.dst.Node, cell)
			}
		})
	}
	wg.Wait()
}

// withPayload says, on a failed payload cell, which size got lost and the
// MTU the source's interface has.
func withPayload(c Cell, size int, env probe.Env, node string) Cell {
	c.Payload, c.MTU = size, env.PathMTU()
	switch {
	case size <= 0:
		c.Outcome = Failed
		c.Why = fmt.Sprintf("cannot size the payload: the agent on %s reported no MTU for its pod interface", node)
	case c.Outcome == OK:
	default:
		c.Why = fmt.Sprintf("a %d-byte payload (%s's %s) did not cross: %s", size, node, env.DescribeMTU(), c.Why)
	}
	return c
}

// describer names the agents of a pair in failure lines:
// "pod agent-w2 on w2 → node (hostNetwork agent host-w1) w1, UDP".
func (m *Mesh) describer(c Check) func(from, to string) string {
	name := func(r Role, node string) string {
		for _, a := range m.agents(r) {
			if a.Node == node {
				if r == HostRole {
					return fmt.Sprintf("node %s (hostNetwork pod %s)", node, a.Pod.Name)
				}
				return fmt.Sprintf("pod %s on %s", a.Pod.Name, node)
			}
		}
		return r.String() + " on " + node
	}
	return func(from, to string) string {
		return fmt.Sprintf("%s → %s, %s", name(c.From, from), name(c.To, to), c.Protocol)
	}
}
