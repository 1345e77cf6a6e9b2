// Package timeouts holds every bound netconform waits under — cluster
// bring-up, preflight, pod start-up, probe convergence, policy enforcement,
// repairs after Disruptive specs, single probe attempts — in one struct,
// with one way to override them for a slow or a large cluster:
// `-timeouts podReady=3m,converge=90s` and `-timeout-factor 2` on the suites
// (NETCONFORM_TIMEOUTS, NETCONFORM_TIMEOUT_FACTOR) and on the CLI.
package timeouts

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Timeouts is every bound. Intervals (how often a wait looks again) are
// listed too, but a factor does not scale them.
type Timeouts struct {
	// Cluster bring-up (framework/cluster).
	NodesReady    time.Duration // every node Ready after the CNI is applied
	SystemPods    time.Duration // CoreDNS, the CNI agents and add-ons ready
	CheckPods     time.Duration // the bring-up check's agent pods running
	CrossNode     time.Duration // retries of the bring-up cross-node matrix
	ClusterCreate time.Duration // a whole embedded cluster, images checked

	// Talking to a cluster (framework/kube, framework/preflight).
	FirstContact   time.Duration // the API server answering at all
	Preflight      time.Duration // every preflight check
	PreflightAgent time.Duration // the preflight agent pod Ready
	CNIReady       time.Duration // the CNI's agents all Ready (preflight waits out one restarting)
	Cleanup        time.Duration // a run's objects gone at its end
	PreflightPull  time.Duration // the agent image's pull answering at all (a registry that never answers)
	RegistryReady  time.Duration // a registry we started answering its API
	// Request is one API request (not a watch's or an exec's stream): a
	// server that accepted the connection and then stopped answering
	// is an error after it, not a hang.
	Request time.Duration
	// Exec is one exec of a command (a probe batch) in a pod.
	Exec time.Duration
	// APISilence is how long the API server may answer nothing during a
	// run before the run stops, naming it (e2e's cluster watch).
	APISilence time.Duration

	// Specs (framework/e2e and the suites).
	PodReady time.Duration // a test pod Ready
	Probe    time.Duration // a probe that must converge (a new Service, a new pod)
	Converge time.Duration // a CNI enforcing a NetworkPolicy change
	Stays    time.Duration // an enforced matrix shown to stay as it is
	Rollout  time.Duration // a system DaemonSet or Deployment rolled out again (Disruptive repairs)
	// LoadBalancer is a Service of type LoadBalancer getting its address
	// in status.loadBalancer from the implementation.
	LoadBalancer time.Duration
	// IngressRoute: an Ingress created, changed or deleted is routed
	// accordingly by its controller (and gets its status address).
	IngressRoute time.Duration
	// IngressStatus: an Ingress's address published in its
	// status.loadBalancer (haproxy-ingress publishes once a minute, on a
	// fixed period).
	IngressStatus time.Duration
	// IngressAnswer is one request through an Ingress controller; an
	// answer it owes (a 5xx for a backend without endpoints) must come
	// within it, not hang.
	IngressAnswer time.Duration

	// Single probe attempts, in the agent: what one denied cell costs.
	Attempt    time.Duration // TCP, UDP, SCTP connection and echo
	DNSAttempt time.Duration // one DNS lookup
	// CheckAttempt is one attempt of the bring-up cross-node check, on a
	// cluster whose CNI may still be settling.
	CheckAttempt time.Duration
	// Transfer is one multi-megabyte TCP transfer between pods.
	Transfer time.Duration

	// Intervals.
	Poll   time.Duration // between attempts of a wait (Eventually)
	Repeat time.Duration // between repetitions of a check that must hold (Consistently)
}

// Default is what a 2-core machine running a 3-node kind cluster needs.
func Default() Timeouts {
	return Timeouts{
		NodesReady: 3 * time.Minute, SystemPods: 3 * time.Minute, CheckPods: 2 * time.Minute,
		CrossNode: time.Minute, ClusterCreate: 10 * time.Minute,
		FirstContact: 30 * time.Second, Preflight: 2 * time.Minute, PreflightAgent: 90 * time.Second, CNIReady: time.Minute, PreflightPull: 20 * time.Second, RegistryReady: 30 * time.Second,
		Cleanup: 3 * time.Minute, Request: 30 * time.Second, Exec: 2 * time.Minute, APISilence: 30 * time.Second,
		PodReady: 2 * time.Minute, Probe: 30 * time.Second, Converge: time.Minute, Stays: 6 * time.Second,
		Rollout: 3 * time.Minute, LoadBalancer: time.Minute, IngressRoute: time.Minute, IngressStatus: 90 * time.Second, IngressAnswer: 5 * time.Second,
		Attempt: time.Second, DNSAttempt: 2 * time.Second, CheckAttempt: 2 * time.Second, Transfer: 5 * time.Second,
		Poll: 250 * time.Millisecond, Repeat: time.Second,
	}
}

// Current is what this process waits under: Default, unless Override
// changed it at start-up (before any wait began).
var Current = Default()

// Ms is d in whole milliseconds, for probe requests.
func Ms(d time.Duration) int { return int(d / time.Millisecond) }

// fields names every field for Set, in the form the flags take.
func (t *Timeouts) fields() map[string]*time.Duration {
	return map[string]*time.Duration{
		"nodesReady": &t.NodesReady, "systemPods": &t.SystemPods, "checkPods": &t.CheckPods,
		"crossNode": &t.CrossNode, "clusterCreate": &t.ClusterCreate,
		"firstContact": &t.FirstContact, "preflight": &t.Preflight, "preflightAgent": &t.PreflightAgent, "cniReady": &t.CNIReady, "preflightPull": &t.PreflightPull, "registryReady": &t.RegistryReady,
		"cleanup": &t.Cleanup, "request": &t.Request, "exec": &t.Exec, "apiSilence": &t.APISilence, "podReady": &t.PodReady, "probe": &t.Probe, "converge": &t.Converge,
		"stays": &t.Stays, "rollout": &t.Rollout, "loadBalancer": &t.LoadBalancer, "attempt": &t.Attempt, "dnsAttempt": &t.DNSAttempt,
		"checkAttempt": &t.CheckAttempt, "transfer": &t.Transfer, "poll": &t.Poll, "repeat": &t.Repeat,
		"ingressRoute": &t.IngressRoute, "ingressStatus": &t.IngressStatus, "ingressAnswer": &t.IngressAnswer,
	}
}

// intervals are not bounds: a slower cluster needs longer waits, not
// sparser looks.
var intervals = map[string]bool{"poll": true, "repeat": true}

// Names lists the names Set accepts, sorted.
func Names() []string {
	var t Timeouts
	out := make([]string, 0, 20)
	for n := range t.fields() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Set applies "name=duration,name=duration" (Go durations: 90s, 3m).
func (t *Timeouts) Set(spec string) error {
	fields := t.fields()
	for _, kv := range strings.Split(spec, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("timeouts: %q is not name=duration", kv)
		}
		field, known := fields[strings.TrimSpace(name)]
		if !known {
			return fmt.Errorf("timeouts: unknown timeout %q (known: %s)", name, strings.Join(Names(), ", "))
		}
		d, err := time.ParseDuration(strings.TrimSpace(value))
		if err != nil || d <= 0 {
			return fmt.Errorf("timeouts: %s=%s: want a positive duration such as 90s or 3m", name, value)
		}
		*field = d
	}
	return nil
}

// Scaled multiplies every bound (not the intervals) by factor.
func (t Timeouts) Scaled(factor float64) Timeouts {
	for name, field := range t.fields() {
		if !intervals[name] {
			*field = time.Duration(float64(*field) * factor)
		}
	}
	return t
}

// String lists every timeout as name=duration, sorted by name.
func (t Timeouts) String() string {
	fields := t.fields()
	parts := make([]string, 0, len(fields))
	for _, n := range Names() {
		parts = append(parts, n+"="+fields[n].String())
	}
	return strings.Join(parts, ",")
}

// Override sets Current from Default: scaled by factor (1 or 0: as is; the
// environment's NETCONFORM_TIMEOUT_FACTOR when factor is 0 and it is set),
// then the named overrides of NETCONFORM_TIMEOUTS and of spec, in that
// order. Call it once, at start-up.
func Override(spec string, factor float64) error {
	if factor == 0 {
		factor = 1
		if env := os.Getenv("NETCONFORM_TIMEOUT_FACTOR"); env != "" {
			f, err := strconv.ParseFloat(env, 64)
			if err != nil || f <= 0 {
				return fmt.Errorf("NETCONFORM_TIMEOUT_FACTOR=%s: want a positive number", env)
			}
			factor = f
		}
	}
	if factor <= 0 {
		return fmt.Errorf("timeout factor %v: want a positive number", factor)
	}
	t := Default().Scaled(factor)
	if err := t.Set(os.Getenv("NETCONFORM_TIMEOUTS")); err != nil {
		return fmt.Errorf("NETCONFORM_TIMEOUTS: %w", err)
	}
	if err := t.Set(spec); err != nil {
		return err
	}
	Current = t
	return nil
}
