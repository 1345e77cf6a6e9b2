package matrix_test

import (
	"context"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/matrix"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
	"github.com/netconform/netconform/framework/reach"
)

var benchCases = []reach.Case{
	{Port: fixtures.PolicyPortA, Protocol: corev1.ProtocolTCP}, {Port: fixtures.PolicyPortB, Protocol: corev1.ProtocolTCP},
	{Port: fixtures.PolicyPortA, Protocol: corev1.ProtocolUDP}, {Port: fixtures.PolicyPortB, Protocol: corev1.ProtocolUDP},
}

// benchTopology deploys 3 namespaces x 3 agent pods on the cluster named by
// NETCONFORM_BENCH_KUBECONFIG; the benchmarks skip without one.
func benchTopology(b *testing.B) (*kube.Client, []*corev1.Pod) {
	path := os.Getenv("NETCONFORM_BENCH_KUBECONFIG")
	if path == "" {
		b.Skip("set NETCONFORM_BENCH_KUBECONFIG to a cluster to run the matrix benchmarks")
	}
	ctx := context.Background()
	cl, err := kube.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	var pods []*corev1.Pod
	for range 3 {
		created := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "nc-bench-"}}
		if err := cl.CreateLabelled(ctx, created, "bench"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cl.Delete(context.Background(), created) })
		for _, name := range []string{"a", "b", "c"} {
			p := agent.Pod(name, created.Name, fixtures.WithPolicyPorts())
			if err := cl.CreateLabelled(ctx, p, "bench"); err != nil {
				b.Fatal(err)
			}
			pods = append(pods, p)
		}
	}
	for i, p := range pods {
		ready, err := cl.WaitPodReady(ctx, p.Namespace, p.Name, 2*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		pods[i] = ready
	}
	return cl, pods
}

func cells(b *testing.B, tables []*reach.Table, want reach.Verdict) {
	for _, t := range tables {
		for _, from := range t.Peers() {
			for _, to := range t.Peers() {
				if from == to && want == reach.Deny {
					continue // a pod reaching itself is left open (see reach.Any)
				}
				if v := t.Get(from, to); v != want {
					b.Fatalf("%s -> %s: %s, want %s", from, to, v.Name(), want.Name())
				}
			}
		}
	}
}

// BenchmarkMatrixBatched observes the 9-pod x 2 ports x TCP/UDP matrix,
// one batch per source pod (over its long-lived exec), all sources at once.
func BenchmarkMatrixBatched(b *testing.B) {
	cl, pods := benchTopology(b)
	b.ResetTimer()
	for b.Loop() {
		tables, err := matrix.Observe(context.Background(), cl, pods, benchCases, matrix.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cells(b, tables, reach.Allow)
	}
	b.ReportMetric(float64(len(pods)*len(pods)*len(benchCases)), "cells/op")
}

// BenchmarkMatrixDenied is the same matrix with every pod isolated by a
// deny-all ingress policy: every cell waits out the probe timeout, in
// parallel, so the matrix still costs about one timeout.
func BenchmarkMatrixDenied(b *testing.B) {
	cl, pods := benchTopology(b)
	seen := map[string]bool{}
	for _, p := range pods {
		if seen[p.Namespace] {
			continue
		}
		seen[p.Namespace] = true
		np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny-all", Namespace: p.Namespace},
			Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}
		if _, err := cl.Clientset.NetworkingV1().NetworkPolicies(p.Namespace).Create(context.Background(), np, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	// Let the CNI enforce: one untimed observation until everything is denied.
	deadline := time.Now().Add(time.Minute)
	for {
		tables, err := matrix.Observe(context.Background(), cl, pods, benchCases, matrix.Options{})
		if err == nil && allDenied(tables) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("deny-all was not enforced within a minute")
		}
	}
	b.ResetTimer()
	for b.Loop() {
		tables, err := matrix.Observe(context.Background(), cl, pods, benchCases, matrix.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cells(b, tables, reach.Deny)
	}
}

func allDenied(tables []*reach.Table) bool {
	for _, t := range tables {
		for _, from := range t.Peers() {
			for _, to := range t.Peers() {
				if from != to && t.Get(from, to) != reach.Deny {
					return false
				}
			}
		}
	}
	return true
}

// BenchmarkMatrixExecPerCell observes the same matrix the way tools that
// exec a client per cell do: one exec per probe, one after another.
func BenchmarkMatrixExecPerCell(b *testing.B) {
	cl, pods := benchTopology(b)
	b.ResetTimer()
	for b.Loop() {
		for _, src := range pods {
			for _, dst := range pods {
				for _, c := range benchCases {
					proto := probe.TCP
					if c.Protocol == corev1.ProtocolUDP {
						proto = probe.UDP
					}
					res, err := remote.Run(context.Background(), cl, remote.Pod{Namespace: src.Namespace, Name: src.Name, Container: agent.Container},
						probe.Batch{Probes: []probe.Probe{{ID: "cell", Protocol: proto, Target: matrixTarget(dst, c)}}})
					if err != nil {
						b.Fatal(err)
					}
					if res.Results[0].Verdict != probe.Connected {
						b.Fatalf("%s -> %s %s: %s", src.Name, dst.Name, c, res.Results[0].Verdict)
					}
				}
			}
		}
	}
	b.ReportMetric(float64(len(pods)*len(pods)*len(benchCases)), "cells/op")
}

func matrixTarget(dst *corev1.Pod, c reach.Case) string {
	return net.JoinHostPort(dst.Status.PodIP, strconv.Itoa(int(c.Port)))
}

// BenchmarkTopologyStartup creates the nine agent pods of a NetworkPolicy
// topology (three namespaces) and waits until all are Ready: what each
// NetworkPolicy lane pays once, before its first case.
func BenchmarkTopologyStartup(b *testing.B) {
	for b.Loop() {
		if _, pods := benchTopology(b); len(pods) != 9 {
			b.Fatalf("%d pods, want 9", len(pods))
		}
	}
}

// BenchmarkTopologyTeardown removes those nine pods with their three
// namespaces and waits until the namespaces are gone: what a run pays at
// its end for each topology (netconform's cleanup, by the run-ID label).
func BenchmarkTopologyTeardown(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		cl, _ := benchTopology(b)
		b.StartTimer()
		if err := cl.DeleteLabelled(context.Background(), kube.RunIDLabel+"=bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPolicyPropagation is the CNI's part of a NetworkPolicy case:
// from creating a deny-all ingress policy in one namespace until the
// matrix shows every pod of that namespace isolated ("s-enforced/op"),
// and from deleting it until every pod answers again ("s-lifted/op").
// Observations repeat back to back, so each figure is exact to about one
// observation (one probe timeout while cells are denied).
func BenchmarkPolicyPropagation(b *testing.B) {
	cl, pods := benchTopology(b)
	ctx := context.Background()
	ns := pods[0].Namespace
	cases := benchCases[:1]
	isolated := func(tables []*reach.Table) bool {
		t := tables[0]
		for _, from := range t.Peers() {
			for _, to := range t.Peers() {
				if from == to {
					continue
				}
				if want := to.Namespace != ns; (t.Get(from, to) == reach.Allow) != want {
					return false
				}
			}
		}
		return true
	}
	open := func(tables []*reach.Table) bool {
		t := tables[0]
		for _, from := range t.Peers() {
			for _, to := range t.Peers() {
				if from != to && t.Get(from, to) != reach.Allow {
					return false
				}
			}
		}
		return true
	}
	until := func(what string, done func([]*reach.Table) bool) time.Duration {
		start, deadline := time.Now(), time.Now().Add(time.Minute)
		for {
			tables, err := matrix.Observe(ctx, cl, pods, cases, matrix.Options{})
			if err == nil && done(tables) {
				return time.Since(start)
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s: not seen within a minute (last error: %v)", what, err)
			}
		}
	}
	var enforced, lifted time.Duration
	for b.Loop() {
		np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny-all", Namespace: ns},
			Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}
		if _, err := cl.Clientset.NetworkingV1().NetworkPolicies(ns).Create(ctx, np, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		enforced += until("deny-all enforced", isolated)
		if err := cl.Clientset.NetworkingV1().NetworkPolicies(ns).Delete(ctx, np.Name, metav1.DeleteOptions{}); err != nil {
			b.Fatal(err)
		}
		lifted += until("deny-all lifted", open)
	}
	b.ReportMetric(enforced.Seconds()/float64(b.N), "s-enforced/op")
	b.ReportMetric(lifted.Seconds()/float64(b.N), "s-lifted/op")
}
