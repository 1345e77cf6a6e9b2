package mesh

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
)

var testNodes = []string{"kind-control-plane", "kind-worker", "kind-worker2"}

// testMesh: node i has pod agent p-<node> at 10.244.i.7 and hostNetwork
// agent h-<node> at 172.18.0.(i+2).
func testMesh() *Mesh {
	m := &Mesh{Addresses: map[string]string{}}
	for i, n := range testNodes {
		nodeIP := fmt.Sprintf("172.18.0.%d", i+2)
		m.Pods = append(m.Pods, Agent{Node: n, Pod: remote.Pod{Namespace: "ns", Name: "p-" + n}, IP: fmt.Sprintf("10.244.%d.7", i), Port: 8080, HTTPPort: 8090})
		m.Hosts = append(m.Hosts, Agent{Node: n, Pod: remote.Pod{Namespace: "hns", Name: "h-" + n}, IP: nodeIP, Port: 18080, HTTPPort: 18090})
		m.Addresses[nodeIP] = n + "'s node IP"
	}
	return m
}

var (
	podTCP  = Check{Name: "pod → pod TCP, no NAT", From: PodRole, To: PodRole, Protocol: probe.TCP, NoNAT: true}
	podUDP  = Check{Name: "pod → pod UDP, no NAT", From: PodRole, To: PodRole, Protocol: probe.UDP, NoNAT: true}
	nodePod = Check{Name: "node → pod TCP", From: HostRole, To: PodRole, Protocol: probe.TCP}
	podNode = Check{Name: "pod → node UDP", From: PodRole, To: HostRole, Protocol: probe.UDP}
	bigUDP  = FullDatagram()
)

// fault decides what a probe from src to the agent at dst sees; nil means
// the ideal data plane.
type fault func(src, dst Agent, p probe.Probe, attempt int) *probe.Result

// fakeAgents answers batches as agents on the test mesh would.
type fakeAgents struct {
	m        *Mesh
	fault    fault
	mu       sync.Mutex
	execs    map[string]int
	attempts map[string]int
}

func (f *fakeAgents) run(_ context.Context, pod remote.Pod, b probe.Batch) (probe.BatchResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.execs[pod.Name]++
	var src Agent
	all := append(append([]Agent(nil), f.m.Pods...), f.m.Hosts...)
	for _, a := range all {
		if a.Pod.Name == pod.Name {
			src = a
		}
	}
	res := probe.BatchResult{Env: &probe.Env{Interface: "eth0", MTU: 1500}}
	for _, p := range b.Probes {
		var dst Agent
		for _, a := range all {
			if strings.Contains(p.Target, a.IP+":") && (strings.Contains(p.Target, fmt.Sprint(a.Port)) || strings.Contains(p.Target, fmt.Sprint(a.HTTPPort))) {
				dst = a
			}
		}
		key := src.Pod.Name + ">" + p.ID
		f.attempts[key]++
		if r := f.fault(src, dst, p, f.attempts[key]); r != nil {
			r.ID = p.ID
			res.Results = append(res.Results, *r)
			continue
		}
		res.Results = append(res.Results, probe.Result{ID: p.ID, Verdict: probe.Connected, Echo: &probe.Echo{
			Identity: probe.Identity{Pod: dst.Pod.Name, Node: dst.Node}, Peer: src.IP + ":40000", Protocol: p.Protocol, Bytes: p.PayloadBytes}})
	}
	return res, nil
}

func observe(t *testing.T, f fault, checks ...Check) (*Observation, *fakeAgents) {
	t.Helper()
	fa := &fakeAgents{m: testMesh(), fault: f, execs: map[string]int{}, attempts: map[string]int{}}
	if f == nil {
		fa.fault = func(Agent, Agent, probe.Probe, int) *probe.Result { return nil }
	}
	obs, err := Observe(context.Background(), fa.run, fa.m, checks, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return obs, fa
}

func TestOneBatchPerSourceAgent(t *testing.T) {
	obs, fa := observe(t, nil, podTCP, podUDP, nodePod, podNode)
	if r := obs.Report(); r != "" {
		t.Fatalf("an intact mesh reports failures:\n%s", r)
	}
	// 3 pod agents and 3 host agents, one exec each, whatever the checks.
	if obs.Execs != 6 || len(fa.execs) != 6 {
		t.Errorf("%d execs over %d agents, want 6 over 6", obs.Execs, len(fa.execs))
	}
	// Pod sources: 3 checks x 3 nodes; host sources: 1 check x 3 nodes.
	if obs.Probes != 3*9+3*3 {
		t.Errorf("%d probes, want 36", obs.Probes)
	}
	for _, tb := range obs.Tables {
		if tb.Pairs() != 9 {
			t.Errorf("%s covers %d pairs, want 9", tb.Check.Name, tb.Pairs())
		}
	}
}

// worker2 masquerades its pods' traffic to other nodes: the table shows it
// in worker2's row only, and the message names the node IP seen.
func TestTranslatedSourceNamesTheNode(t *testing.T) {
	obs, _ := observe(t, func(src, dst Agent, p probe.Probe, _ int) *probe.Result {
		if src.Node != "kind-worker2" || dst.Node == src.Node || src.Pod.Name[0] != 'p' {
			return nil
		}
		return &probe.Result{Verdict: probe.Connected, Echo: &probe.Echo{Identity: probe.Identity{Pod: dst.Pod.Name, Node: dst.Node}, Peer: "172.18.0.4:1234", Protocol: p.Protocol}}
	}, podTCP, podUDP)
	report := obs.Report()
	for _, want := range []string{
		"pod → pod TCP, no NAT: 2 of 9 node pairs failed",
		"              control-plane worker worker2\n" +
			"control-plane       .         .       .\n" +
			"worker              .         .       .\n" +
			"worker2             N         N       .\n",
		"pod p-kind-worker2 on kind-worker2 → pod p-kind-worker on kind-worker, UDP: the server saw 172.18.0.4 (kind-worker2's node IP), not 10.244.2.7: kind-worker2's traffic is source-NATed",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if got := obs.Tables[0].Get("kind-worker2", "kind-worker").Outcome; got != Translated {
		t.Errorf("worker2 -> worker is %s, want translated", got)
	}
}

// A node that cannot reach others' pods fails its whole row (but itself),
// and timeouts and refusals read differently.
func TestTimedOutAndRefusedRow(t *testing.T) {
	obs, _ := observe(t, func(src, dst Agent, p probe.Probe, _ int) *probe.Result {
		if src.Node != "kind-worker" || dst.Node == src.Node {
			return nil
		}
		if p.Protocol == probe.UDP {
			return &probe.Result{Verdict: probe.Refused, Error: "udp: connection refused"}
		}
		return &probe.Result{Verdict: probe.TimedOut, Error: "tcp connect: i/o timeout"}
	}, nodePod, podNode)
	tables := obs.Tables
	if got := tables[0].Get("kind-worker", "kind-worker2").Outcome; got != TimedOut {
		t.Errorf("node worker -> pod on worker2: %s, want timed out", got)
	}
	if got := tables[1].Get("kind-worker", "kind-control-plane").Outcome; got != Refused {
		t.Errorf("pod on worker -> node control-plane: %s, want refused", got)
	}
	r := obs.Report()
	if !strings.Contains(r, "node kind-worker (hostNetwork pod h-kind-worker) → pod p-kind-worker2 on kind-worker2, TCP: timed out: tcp connect: i/o timeout") {
		t.Errorf("report does not name the pair and the cause:\n%s", r)
	}
}

func TestPatterns(t *testing.T) {
	// Everything to control-plane fails: its column.
	obs, _ := observe(t, func(src, dst Agent, p probe.Probe, _ int) *probe.Result {
		if dst.Node == "kind-control-plane" {
			return &probe.Result{Verdict: probe.TimedOut, Error: "no reply"}
		}
		return nil
	}, podTCP)
	if r := obs.Report(); !strings.Contains(r, "every pair to kind-control-plane fails: look at kind-control-plane's ingress") || strings.Contains(r, "every pair from") {
		t.Errorf("column pattern:\n%s", r)
	}
	all, _ := observe(t, func(Agent, Agent, probe.Probe, int) *probe.Result {
		return &probe.Result{Verdict: probe.Refused, Error: "refused"}
	}, podTCP)
	if r := all.Report(); !strings.Contains(r, "every pair fails") {
		t.Errorf("all-failed pattern:\n%s", r)
	}
}

// A failure that does not repeat is not reported; one that does is, and
// the retry probes only the failed pairs.
func TestRetriesOnlyFailedPairs(t *testing.T) {
	obs, fa := observe(t, func(src, dst Agent, p probe.Probe, attempt int) *probe.Result {
		if src.Node == "kind-worker" && dst.Node == "kind-worker2" && attempt == 1 {
			return &probe.Result{Verdict: probe.TimedOut, Error: "lost once"}
		}
		return nil
	}, podUDP)
	if r := obs.Report(); r != "" {
		t.Errorf("a datagram lost once is reported:\n%s", r)
	}
	if obs.Execs != 4 || fa.execs["p-kind-worker"] != 2 || obs.Probes != 10 {
		t.Errorf("%d execs (%v), %d probes; want 4 execs (2 from worker) and 10 probes", obs.Execs, fa.execs, obs.Probes)
	}
}

func TestWrongPeer(t *testing.T) {
	obs, _ := observe(t, func(src, dst Agent, p probe.Probe, _ int) *probe.Result {
		if dst.Node != "kind-worker" {
			return nil
		}
		return &probe.Result{Verdict: probe.Connected, Echo: &probe.Echo{Identity: probe.Identity{Pod: "stale", Node: "kind-worker2"}, Peer: src.IP + ":1", Protocol: p.Protocol}}
	}, podTCP)
	if r := obs.Report(); !strings.Contains(r, "answered by stale on kind-worker2, not p-kind-worker on kind-worker") {
		t.Errorf("wrong peer not named:\n%s", r)
	}
}

// Payloads are sized from each source's MTU; a lost one names the size,
// the MTU and the interface.
func TestPayloadLost(t *testing.T) {
	obs, _ := observe(t, func(src, dst Agent, p probe.Probe, _ int) *probe.Result {
		if p.PayloadBytes != 1472 {
			return &probe.Result{Verdict: probe.Failed, Error: fmt.Sprintf("payload %d, want 1472", p.PayloadBytes)}
		}
		if src.Node == "kind-worker" && dst.Node == "kind-control-plane" {
			return &probe.Result{Verdict: probe.TimedOut, Error: "no reply"}
		}
		return nil
	}, bigUDP)
	tb := obs.Tables[0]
	if tb.Pairs() != 6 || tb.Get("kind-worker", "kind-worker").Outcome != Skipped {
		t.Errorf("a cross-node check covers %d pairs, self %s; want 6, skipped", tb.Pairs(), tb.Get("kind-worker", "kind-worker").Outcome)
	}
	want := "pod p-kind-worker on kind-worker → pod p-kind-control-plane on kind-control-plane, UDP: a 1472-byte payload (kind-worker's pod interface eth0 has MTU 1500) did not cross: timed out: no reply"
	if r := obs.Report(); !strings.Contains(r, want) || len(tb.Failed()) != 1 {
		t.Errorf("report lacks %q or fails other pairs:\n%s", want, r)
	}
}

func TestExecFailureIsInconclusive(t *testing.T) {
	m := testMesh()
	run := func(_ context.Context, pod remote.Pod, b probe.Batch) (probe.BatchResult, error) {
		return probe.BatchResult{}, errors.New("pods \"x\" not found")
	}
	obs, err := Observe(context.Background(), run, m, []Check{podTCP}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := obs.Tables[0].Get("kind-worker", "kind-worker").Outcome; got != Inconclusive {
		t.Errorf("outcome %s, want inconclusive", got)
	}
	if !strings.Contains(obs.Report(), "no result from the agent") {
		t.Error(obs.Report())
	}
}

func TestShortNames(t *testing.T) {
	for _, c := range []struct {
		nodes []string
		want  string
	}{
		{[]string{"demo-control-plane", "demo-worker", "demo-worker2"}, "control-plane worker worker2"},
		{[]string{"worker", "worker2"}, "worker worker2"},
		{[]string{"a.example.com", "b.example.com"}, "a.example.com b.example.com"},
		{[]string{"only"}, "only"},
	} {
		short := shortNames(c.nodes)
		var got []string
		for _, n := range c.nodes {
			got = append(got, short[n])
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("shortNames(%v) = %v, want %s", c.nodes, got, c.want)
		}
	}
}

// A node that masquerades through a tunnel device uses its own address on
// the pod network (Flannel's flannel.1 holds the subnet's .0): the message
// must still name the node.
func TestOwnerOfANodeAddressOnThePodNetwork(t *testing.T) {
	m := testMesh()
	m.PodCIDRs = map[string]string{"10.244.0.0/24": testNodes[0], "10.244.2.0/24": testNodes[2]}
	for ip, want := range map[string]string{
		"172.18.0.3": "kind-worker's node IP",
		"10.244.2.0": "kind-worker2's address on the pod network",
		"10.244.9.9": "no node's or test pod's address",
	} {
		if got := m.owner(ip); got != want {
			t.Errorf("owner(%s) = %q, want %q", ip, got, want)
		}
	}
}

// The first line of a mesh failure is what every summary shows: it names
// the node the pattern points to, or the first failed pair, and why.
func TestReportHeadlineNamesWhere(t *testing.T) {
	column, _ := observe(t, func(src, dst Agent, p probe.Probe, _ int) *probe.Result {
		if dst.Node == "kind-control-plane" {
			return &probe.Result{Verdict: probe.TimedOut, Error: "no reply"}
		}
		return nil
	}, podTCP)
	first, _, _ := strings.Cut(column.Report(), "\n")
	if !strings.Contains(first, "every pair to kind-control-plane fails") || !strings.Contains(first, "timed out") {
		t.Errorf("headline of a column pattern does not name the node and the cause: %q", first)
	}
	one, _ := observe(t, func(src, dst Agent, p probe.Probe, _ int) *probe.Result {
		if src.Node == "kind-worker" && dst.Node == "kind-worker2" {
			return &probe.Result{Verdict: probe.TimedOut, Error: "no reply"}
		}
		return nil
	}, podTCP)
	first, _, _ = strings.Cut(one.Report(), "\n")
	if !strings.Contains(first, "on kind-worker → pod") || !strings.Contains(first, "on kind-worker2") || !strings.Contains(first, "timed out") {
		t.Errorf("headline of one failed pair does not name both nodes and the cause: %q", first)
	}
}
