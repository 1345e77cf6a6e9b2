package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/feature"
)

var testSuites = []string{"pods", "services", "dns", "netpol", "ingress"}

// spec builds a spec report as Ginkgo hands it to the report nodes.
func spec(suite, container, text string, state types.SpecState, message string, took time.Duration) types.SpecReport {
	return types.SpecReport{
		LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{container}, LeafNodeText: text,
		ContainerHierarchyLabels: [][]string{{suite, "Conformance"}}, State: state,
		Failure: types.Failure{Message: message}, RunTime: took,
	}
}

const ingressTimeout = `Timed out after 63.246s.
The function passed to Eventually failed at /work/suites/ingress/scene.go:175 with:
IngressClass haproxy (HAProxy Ingress) does not route as the Ingress API requires (2 of 2 requests; client pod client on w1):
  - GET http://172.18.0.5:30148/ready from the host: expected 2xx, saw Refused
  - GET http://10.96.0.7/ready from a client pod: expected 2xx, saw Refused`

const wrappedError = `Expected success, but got an error:
    <*fmt.wrapError | 0x17eaaf9190c0>: 
    client rate limiter Wait returned an error: context canceled`

// Seen with CoreDNS scaled to 0: the cause is at the end of a long line.
const dnsDown = "Timed out after 30.518s.\nThe function passed to Eventually failed at /work/wt-verify/suites/dns/dns.go:47 with:\n" +
	"A web.nc-43018a31-dns-pxjxm.svc.cluster.local from client on nc-ver-worker: TimedOut dns A web.nc-43018a31-dns-pxjxm.svc.cluster.local: " +
	"lookup web.nc-43018a31-dns-pxjxm.svc.cluster.local: i/o timeout (cluster DNS 10.96.0.10: Service kube-dns has no endpoints: no DNS server runs behind 10.96.0.10; " +
	"cluster domain: \"cluster.local\" in the pod's search list [nc-43018a31-dns-pxjxm.svc.cluster.local svc.cluster.local cluster.local], " +
	"\"cluster.local\" in the kubelet's configuration; kube-proxy: 3 of 3 pods ready)\nExpected\n    <probe.Verdict>: TimedOut\nto equal\n    <probe.Verdict>: Connected"

func TestOneLineNamesTheCause(t *testing.T) {
	if got := oneLine(dnsDown); !strings.Contains(got, "Service kube-dns has no endpoints") || strings.Contains(got, "\n") {
		t.Errorf("the CoreDNS failure lost its cause or spans lines: %q", got)
	}
	for _, c := range []struct{ msg, want string }{
		{ingressTimeout, "timed out after 63.246s: IngressClass haproxy (HAProxy Ingress) does not route as the Ingress API requires (2 of 2 requests; client pod client on w1): " +
			"GET http://172.18.0.5:30148/ready from the host: expected 2xx, saw Refused"},
		{wrappedError, "Expected success, but got an error: client rate limiter Wait returned an error: context canceled"},
		{"pod agent-w2 on w2 → pod agent-w1 on w1, TCP: the server saw 172.18.0.3, not 10.244.4.7", "pod agent-w2 on w2 → pod agent-w1 on w1, TCP: the server saw 172.18.0.3, not 10.244.4.7"},
		{"Timed out after 5.000s.", "timed out after 5.000s"},
		{strings.Repeat("h", 300) + strings.Repeat("t", 300), strings.Repeat("h", 192) + " … " + strings.Repeat("t", 285)},
	} {
		if got := oneLine(c.msg); got != c.want {
			t.Errorf("oneLine(%q)\n got %q\nwant %q", c.msg, got, c.want)
		}
	}
}

// fakeClock returns the start, then steps by step at each call.
func fakeClock(start time.Time, step time.Duration) func() time.Time {
	now := start
	return func() time.Time { now = now.Add(step); return now }
}

func TestProgressPrintsOneLinePerSpecAndEachFailureAsItHappens(t *testing.T) {
	var out bytes.Buffer
	start := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	p := newProgress(&out, false, testSuites, start)
	p.now = fakeClock(start, 5*time.Second)

	p.Begin(types.Report{PreRunStats: types.PreRunStats{TotalSpecs: 12, SpecsThatWillRun: 3}, SuiteConfig: types.SuiteConfig{LabelFilter: "!Disruptive"}})
	p.Ready(e2e.Env{Nodes: 3, CNI: cni.Detected{Name: "kube-router"}, Features: feature.Set{feature.SCTP: {Supported: false, Reason: "no sctp"}}})
	ok := spec("pods", "Pod networking", "gives every pod a unique IP", types.SpecStatePassed, "", 1200*time.Millisecond)
	bad := spec("services", "A Service of type NodePort", "answers on every node IP", types.SpecStateFailed, ingressTimeout, 63*time.Second)
	unsup := spec("netpol", "NetworkPolicy", "denies SCTP", types.SpecStateSkipped, "NotSupported: SCTP: no sctp", 0)
	filtered := spec("pods", "Pod networking, broken on purpose,", "fails", types.SpecStateSkipped, "", 0)
	for _, s := range []types.SpecReport{ok, filtered, bad, unsup} {
		p.SpecStarted(s)
		p.SpecFinished(s)
	}
	want := `[ 0:05] 3 specs to run, 9 left out by the filter "!Disruptive"; checking the cluster
[ 0:10] cluster ready: 3 nodes, CNI kube-router; lacks SCTP
[ 0:20] 1/3 run   pods: Pod networking gives every pod a unique IP
[ 0:25] 1/3 pass  pods: Pod networking gives every pod a unique IP (1.2s)
[ 0:35] 2/3 run   services: A Service of type NodePort answers on every node IP
[ 0:40] 2/3 FAIL  services: A Service of type NodePort answers on every node IP (1m3s): ` + oneLine(ingressTimeout) + `
[ 0:50] 3/3 run   netpol: NetworkPolicy denies SCTP
[ 0:55] 3/3 unsupported  netpol: NetworkPolicy denies SCTP: SCTP: no sctp
`
	if got := out.String(); got != want {
		t.Errorf("progress:\n%s\nwant:\n%s", got, want)
	}
	if p.done != 3 || p.failed != 1 {
		t.Errorf("done %d, failed %d; want 3, 1", p.done, p.failed)
	}
	if d := p.firstSpec.Sub(start); d != 15*time.Second {
		t.Errorf("first spec after %s, want 15s", d)
	}
}

// On a terminal the running spec is a status line redrawn in place; each
// finished spec's line is written over it and the status follows it.
func TestProgressOnATerminalRedrawsTheRunningSpec(t *testing.T) {
	var out bytes.Buffer
	start := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	p := newProgress(&out, true, testSuites, start)
	p.now = fakeClock(start, time.Second)
	p.Begin(types.Report{PreRunStats: types.PreRunStats{TotalSpecs: 2, SpecsThatWillRun: 2}})
	s := spec("dns", "Cluster DNS", "resolves a Service", types.SpecStatePassed, "", time.Second)
	p.SpecStarted(s)
	p.mu.Lock()
	p.drawStatus() // what the ticker does each second
	p.mu.Unlock()
	p.SpecFinished(s)
	got := out.String()
	status := func(elapsed, spec string) string {
		return "\r\033[K[" + elapsed + "] 1/2 running (" + spec + ")  dns: Cluster DNS resolves a Service"
	}
	want := "[ 0:01] 2 specs to run; checking the cluster\n" +
		status(" 0:03", "1s") + status(" 0:04", "2s") + "\r\033[K[ 0:05] 1/2 pass  dns: Cluster DNS resolves a Service (1s)\n"
	if got != want {
		t.Errorf("terminal output:\n%q\nwant:\n%q", got, want)
	}
}

func TestSummaryCountsEachConceptAndGivesEachFailureItsReason(t *testing.T) {
	r := types.Report{
		SpecReports: types.SpecReports{
			spec("pods", "Pod networking", "gives every pod a unique IP", types.SpecStatePassed, "", 2*time.Second),
			spec("pods", "Pod networking", "reaches pods on every node", types.SpecStatePassed, "", 3*time.Second),
			spec("pods", "Pod networking, broken on purpose,", "fails", types.SpecStateSkipped, "", 0),
			spec("services", "A Service", "keeps its IP", types.SpecStateFailed, ingressTimeout, 63*time.Second),
			spec("netpol", "NetworkPolicy", "denies all ingress", types.SpecStateSkipped, "NotSupported: NetworkPolicy: flannel enforces none", 0),
			spec("netpol", "NetworkPolicy", "denies all egress", types.SpecStateSkipped, "NotSupported: NetworkPolicy: flannel enforces none", 0),
			spec("dns", "Cluster DNS", "answers SRV", types.SpecStateInterrupted, "Interrupted by User", time.Second),
			{LeafNodeType: types.NodeTypeSynchronizedAfterSuite, State: types.SpecStateFailed,
				Failure: types.Failure{Message: "removing what run 1234 created\nnamespace nc-1234-x still terminating"}},
		},
		SpecialSuiteFailureReasons: []string{"Interrupted by User"},
	}
	s := summarize(r, testSuites)
	if s.failed() != 2 {
		t.Errorf("failed = %d, want 2 (a failure and an interruption)", s.failed())
	}
	var out bytes.Buffer
	s.write(&out)
	want := `
concept   passed  failed  unsupported  skipped     time
pods           2       0            0        0       5s
services       0       1            0        0     1m3s
dns            0       1            0        0       1s
netpol         0       0            2        0       0s
total          2       2            2        0     1m9s

Failed:
  services: A Service keeps its IP
    ` + oneLine(ingressTimeout) + `
  dns: Cluster DNS answers SRV
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
	if v := s.verdict(true); v != "FAILED" {
		t.Errorf("verdict with failed specs = %s", v)
	}
	if rows := summarize(types.Report{}, testSuites).rows; len(rows) != len(testSuites) {
		t.Errorf("a run where no spec ran (setup failed) has %d rows, want one per suite", len(rows))
	}
	if v := summarize(types.Report{}, testSuites).verdict(true); v != "PASSED" {
		t.Errorf("verdict of a clean run = %s", v)
	}
}

func TestClock(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: " 0:00", 61 * time.Second: " 1:01", 12*time.Minute + 500*time.Millisecond: "12:01", 2*time.Hour + 3*time.Second: "2:00:03",
	} {
		if got := clock(d); got != want {
			t.Errorf("clock(%s) = %q, want %q", d, got, want)
		}
	}
}

// The ginkgo CLI treats a package as a Ginkgo suite only when one of its
// test files mentions Ginkgo's import path (the same pattern as its
// filesHaveGinkgoSuite); a suite whose specs all moved to ordinary files
// would otherwise run as a plain go test, without -p and without the
// arguments after --: no kubeconfig, so the embedded cluster.
func TestEverySuiteLooksLikeAGinkgoSuiteToTheGinkgoCLI(t *testing.T) {
	ginkgoImport := regexp.MustCompile(`package ginkgo|\/ginkgo"|\/ginkgo\/v2"|\/ginkgo\/v2/dsl/`)
	for _, suite := range verifySuites {
		files, err := filepath.Glob(filepath.Join("..", "..", "suites", suite, "*_test.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("suites/%s: no test file (%v)", suite, err)
		}
		found := false
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			found = found || ginkgoImport.Match(data)
		}
		if !found {
			t.Errorf("suites/%s: no test file imports Ginkgo; `ginkgo -p ./suites/%s -- -kubeconfig K` would drop the kubeconfig", suite, suite)
		}
	}
}
