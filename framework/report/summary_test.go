package report

import (
	"bytes"
	"testing"
	"time"
)

var testSuites = []string{"pods", "services", "dns", "netpol", "ingress"}

// ingressTimeout is how Gomega reports an Ingress route that never came.
const ingressTimeout = `Timed out after 63.246s.
The function passed to Eventually failed at suites/ingress/scene.go:175 with:
IngressClass haproxy (HAProxy Ingress) does not route as the Ingress API requires (2 of 2 requests; client pod client on w1):
  - GET http://172.18.0.5:30148/ready from the host: expected 2xx, saw Refused
  - GET http://10.96.0.7/ready from a client pod: expected 2xx, saw Refused`

func spec(suite, id, name string, state State, message string, seconds float64) Spec {
	s := Spec{ID: id, Name: name, Labels: []string{suite, "Conformance", IDPrefix + id}, State: state, Seconds: seconds}
	switch state {
	case Failed, Interrupted:
		s.Failure = message
	default:
		s.Reason = message
	}
	return s
}

// fakeClock returns the start, then steps by step at each call.
func fakeClock(start time.Time, step time.Duration) func() time.Time {
	now := start
	return func() time.Time { now = now.Add(step); return now }
}

func TestProgressPrintsOneLinePerSpecAndEachFailureAsItHappens(t *testing.T) {
	var out bytes.Buffer
	start := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	p := NewProgress(&out, false, testSuites)
	p.started, p.now = start, fakeClock(start, 5*time.Second)

	p.Begin(3, 9, FiltersText("!Disruptive", nil))
	p.Printf("cluster ready: 3 nodes, CNI kube-router; lacks SCTP")
	ok := spec("pods", "pods-ip-unique", "Pod networking gives every pod a unique IP", Passed, "", 1.2)
	bad := spec("services", "svc-nodeport-every-node", "A Service of type NodePort answers on every node IP", Failed, ingressTimeout, 63)
	unsup := spec("netpol", "netpol-sctp", "NetworkPolicy denies SCTP", Unsupported, "SCTP: no sctp", 0)
	filtered := spec("pods", "pods-broken", "Pod networking, broken on purpose, fails", Skipped, "", 0)
	for _, s := range []Spec{ok, filtered, bad, unsup} {
		p.Started(s)
		p.Finished(s)
	}
	want := `[ 0:05] 3 specs to run, 9 left out by the label filter or focus (label filter "!Disruptive"); checking the cluster
[ 0:10] cluster ready: 3 nodes, CNI kube-router; lacks SCTP
[ 0:20] 1/3 run   pods: Pod networking gives every pod a unique IP [pods-ip-unique]
[ 0:25] 1/3 pass  pods: Pod networking gives every pod a unique IP [pods-ip-unique] (1.2s)
[ 0:35] 2/3 run   services: A Service of type NodePort answers on every node IP [svc-nodeport-every-node]
[ 0:40] 2/3 FAIL  services: A Service of type NodePort answers on every node IP [svc-nodeport-every-node] (1m3s): ` + Headline(ingressTimeout) + `
[ 0:50] 3/3 run   netpol: NetworkPolicy denies SCTP [netpol-sctp]
[ 0:55] 3/3 unsupported  netpol: NetworkPolicy denies SCTP [netpol-sctp]: SCTP: no sctp
`
	if got := out.String(); got != want {
		t.Errorf("progress:\n%s\nwant:\n%s", got, want)
	}
	if p.done != 3 || p.failed != 1 {
		t.Errorf("done %d, failed %d; want 3, 1", p.done, p.failed)
	}
	if d := p.FirstSpec().Sub(start); d != 15*time.Second {
		t.Errorf("first spec after %s, want 15s", d)
	}
}

// On a terminal the running spec is a status line redrawn in place; each
// finished spec's line is written over it and the status follows it.
func TestProgressOnATerminalRedrawsTheRunningSpec(t *testing.T) {
	var out bytes.Buffer
	start := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	p := NewProgress(&out, true, testSuites)
	p.started, p.now = start, fakeClock(start, time.Second)
	p.Begin(2, 0, "")
	s := spec("dns", "dns-svc", "Cluster DNS resolves a Service", Passed, "", 1)
	p.Started(s)
	p.mu.Lock()
	p.drawStatus() // what the ticker does each second
	p.mu.Unlock()
	p.Finished(s)
	got := out.String()
	status := func(elapsed, took string) string {
		return "\r\033[K[" + elapsed + "] 1/2 running (" + took + ")  dns: Cluster DNS resolves a Service [dns-svc]"
	}
	want := "[ 0:01] 2 specs to run; checking the cluster\n" +
		status(" 0:03", "1s") + status(" 0:04", "2s") + "\r\033[K[ 0:05] 1/2 pass  dns: Cluster DNS resolves a Service [dns-svc] (1s)\n"
	if got != want {
		t.Errorf("terminal output:\n%q\nwant:\n%q", got, want)
	}
}

func TestSummaryCountsEachConceptAndGivesEachFailureItsHeadline(t *testing.T) {
	specs := []Spec{
		spec("pods", "pods-ip", "Pod networking gives every pod a unique IP", Passed, "", 2),
		spec("pods", "pods-mesh", "Pod networking reaches pods on every node", Passed, "", 3),
		spec("pods", "pods-broken", "Pod networking, broken on purpose, fails", Skipped, "", 0),
		spec("services", "svc-stable", "A Service keeps its IP", Failed, ingressTimeout, 63),
		spec("netpol", "netpol-deny-ingress", "NetworkPolicy denies all ingress", Unsupported, "NetworkPolicy: flannel enforces none", 0),
		spec("netpol", "netpol-deny-egress", "NetworkPolicy denies all egress", Unsupported, "NetworkPolicy: flannel enforces none", 0),
		spec("dns", "dns-srv", "Cluster DNS answers SRV", Interrupted, "Interrupted by User", 1),
	}
	s := Summarize(specs, testSuites, []string{"SynchronizedAfterSuite: removing what run 1234 created", "Interrupted by User"})
	if s.Failed() != 2 {
		t.Errorf("failed = %d, want 2 (a failure and an interruption)", s.Failed())
	}
	var out bytes.Buffer
	s.Write(&out)
	want := `
concept   passed  failed  unsupported  skipped     time
pods           2       0            0        0       5s
services       0       1            0        0     1m3s
dns            0       1            0        0       1s
netpol         0       0            2        0       0s
total          2       2            2        0     1m9s

Failed:
  services: A Service keeps its IP [svc-stable]
    ` + Headline(ingressTimeout) + `
  dns: Cluster DNS answers SRV [dns-srv]
    interrupted: Interrupted by User

Unsupported:
  netpol, 2 specs:
    NetworkPolicy: flannel enforces none

Outside the specs:
  SynchronizedAfterSuite: removing what run 1234 created
  Interrupted by User
`
	if got := out.String(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if v := s.Verdict(true); v != "FAILED" {
		t.Errorf("verdict with failed specs = %s", v)
	}
	if rows := Summarize(nil, testSuites, nil).Rows; len(rows) != len(testSuites) {
		t.Errorf("a run where no spec ran (setup failed) has %d rows, want one per suite", len(rows))
	}
	if v := Summarize(nil, testSuites, nil).Verdict(true); v != "FAILED" {
		t.Errorf("verdict of a run where no spec ran = %s, want FAILED: nothing was checked", v)
	}
	clean := Summarize([]Spec{{Name: "a", Labels: []string{testSuites[0]}, State: Passed}}, testSuites, nil)
	if v := clean.Verdict(true); v != "PASSED" {
		t.Errorf("verdict of a clean run = %s", v)
	}
}

func TestClock(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: " 0:00", 61 * time.Second: " 1:01", 12*time.Minute + 500*time.Millisecond: "12:01", 2*time.Hour + 3*time.Second: "2:00:03",
	} {
		if got := Clock(d); got != want {
			t.Errorf("Clock(%s) = %q, want %q", d, got, want)
		}
	}
}
