package ingress

import (
	"fmt"
	"strings"
	"time"

	"github.com/netconform/netconform/framework/probe"
)

// Backend names the agent pod that must (or must not) answer: its
// namespace and pod name, as the echo reports them.
type Backend struct {
	Namespace, Pod string
	// Service, when set, is the Service the Ingress names for it (a pod
	// kept from spec to spec stands behind a Service of each spec).
	Service string
}

func (b Backend) String() string {
	s := "backend " + b.Namespace + "/" + b.Pod
	if b.Service != "" {
		s += " (behind Service " + b.Service + ")"
	}
	return s
}

// Route is one request and what its answer must be.
type Route struct {
	Host, Path string
	// TLS sends the request over HTTPS with SNI Host, verifying the
	// served chain against CAPEM for Host.
	TLS   bool
	CAPEM string
	// Exactly one of Want, Not and Want5xx states the expectation:
	// Want: answered 2xx by this backend;
	// Not: answered, but by none of these backends (a 404, another
	// backend, the default backend all pass; no answer at all does not);
	// Want5xx: a 5xx status, within the probe's timeout (no hang).
	Want    *Backend
	Not     []*Backend
	Want5xx bool
	// Why states the rule being checked ("Prefix /foo must not match
	// /foobar"), for the failure message.
	Why string
}

// Probe is the request of r through entry.
func (r Route) Probe(id string, e Entry, timeout time.Duration) probe.Probe {
	base := e.HTTP
	if r.TLS {
		base = e.HTTPS
	}
	p := probe.Probe{ID: id, Protocol: probe.HTTP, Target: base + r.Path, Host: r.Host, TimeoutMs: max(1, int(timeout/time.Millisecond))}
	if r.TLS {
		p.ServerName, p.CAPEM = r.Host, r.CAPEM
	}
	return p
}

// Describe is the request as a failure message names it.
func (r Route) Describe(e Entry) string {
	base := e.HTTP
	if r.TLS {
		base = e.HTTPS
	}
	s := fmt.Sprintf("GET %s%s Host %s", base, r.Path, r.Host)
	if r.TLS {
		s += " SNI " + r.Host
	}
	return s + " from " + e.Name
}

func (r Route) expected() string {
	switch {
	case r.Want != nil:
		s := "2xx from " + r.Want.String()
		if r.TLS {
			s += " over a chain that verifies for " + r.Host
		}
		return s
	case r.Not != nil:
		names := make([]string, len(r.Not))
		for i, b := range r.Not {
			names[i] = b.String()
		}
		return "an answer from none of " + strings.Join(names, ", ") + " (a 404, or a backend no rule here names)"
	}
	return "a 5xx status without delay"
}

// Check says how res fails r ("" when it meets it).
func (r Route) Check(e Entry, res probe.Result) string {
	if msg := r.mismatch(e, res); msg != "" {
		s := fmt.Sprintf("%s: expected %s, saw %s", r.Describe(e), r.expected(), Seen(res))
		if r.Why != "" {
			s += " [" + r.Why + "]"
		}
		return s
	}
	return ""
}

func (r Route) mismatch(e Entry, res probe.Result) string {
	if r.TLS && e.HTTPS == "" {
		return "no HTTPS port"
	}
	switch {
	case r.Want != nil:
		if res.Verdict != probe.Connected || res.Echo == nil {
			return "not connected"
		}
		if res.Echo.Namespace != r.Want.Namespace || res.Echo.Pod != r.Want.Pod {
			return "other backend"
		}
		if res.Echo.Path != r.Path {
			// The controller must pass the path on unchanged.
			return "path rewritten"
		}
		if r.TLS && (res.TLS == nil || !res.TLS.Verified) {
			return "certificate"
		}
	case r.Not != nil:
		// An answer is needed: a timeout or refusal proves nothing
		// about routing, it is a dead controller.
		if res.Status == 0 && res.Verdict != probe.Connected {
			return "no answer"
		}
		for _, b := range r.Not {
			if res.Echo != nil && res.Echo.Namespace == b.Namespace && res.Echo.Pod == b.Pod {
				return "routed"
			}
		}
	case r.Want5xx:
		if res.Status < 500 || res.Status > 599 {
			return "not 5xx"
		}
	}
	return ""
}

// Seen describes an answer: status, backend, certificate, error.
func Seen(res probe.Result) string {
	var parts []string
	if res.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", res.Status))
	} else {
		parts = append(parts, string(res.Verdict))
	}
	if res.Echo != nil {
		parts = append(parts, fmt.Sprintf("from backend %s/%s on node %s (it saw Host %s, path %s, plain HTTP)", res.Echo.Namespace, res.Echo.Pod, res.Echo.Node, res.Echo.Host, res.Echo.Path))
	}
	if res.TLS != nil {
		parts = append(parts, res.TLS.String())
	}
	if res.Verdict != probe.Connected && res.Error != "" {
		parts = append(parts, fmt.Sprintf("after %.0f ms: %s", res.LatencyMs, res.Error))
	}
	return strings.Join(parts, ", ")
}
