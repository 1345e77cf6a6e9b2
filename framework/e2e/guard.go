package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/netconform/netconform/framework/clusterlock"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/rbac"
	"github.com/netconform/netconform/framework/timeouts"
)

// clusterWatch is this process's watch of the cluster under test (each
// parallel process has its own).
var clusterWatch *kube.ClusterWatch

// watchCluster starts it, once the cluster is open.
func watchCluster(ctx context.Context, cl *kube.Client) {
	GinkgoHelper()
	w, err := cl.WatchCluster(ctx, 2*timeouts.Current.Repeat)
	Expect(err).NotTo(HaveOccurred(), "watching the cluster under test")
	clusterWatch = w
}

// guardSuite makes a run end, naming what stopped, when the API server
// stops answering or a node goes NotReady: every node's context ends with
// that as its cause (so the spec under way fails saying it, not after its
// own bounds one request timeout at a time), and the specs after it do
// not start. It also keeps the Disruptive specs from starting without
// their permissions, and, in a run that takes them, holds every spec to
// the cluster's lock (lockSpec). It registers a top-level BeforeEach and returns the
// decorator for RunSpecs.
func guardSuite() types.AroundNodeDecorator {
	BeforeEach(func(ctx SpecContext) {
		if clusterWatch != nil {
			if s := clusterWatch.Stopped(); s != nil {
				AbortSuite(s.Message + "; the remaining specs do not start (what the run left: netconform cleanup --run-id " + RunID + ")")
			}
		}
		labels := CurrentSpecReport().Labels()
		if slices.Contains(labels, Disruptive) {
			suiteConfig, _ := GinkgoConfiguration()
			if why := disruptiveInParallel(true, suiteConfig, clusterlock.Supported); why != "" {
				AbortSuite(why)
			}
			if err := disruptivePermissions(ctx); err != nil {
				AbortSuite("the Disruptive specs do not start: " + err.Error())
			}
			// Its Feature labels name what it cannot break without: one
			// the cluster lacks is said now, not after waiting for its
			// turn behind every spec that holds the cluster.
			if why := Missing(labelledFeatures(labels)...); why != "" {
				NotSupported(why)
			}
		}
		if runTakesDisruptive() {
			lockSpec(ctx, labels)
		}
	})
	return AroundNode(func(ctx context.Context) context.Context {
		if clusterWatch == nil {
			return ctx
		}
		return clusterWatch.Bind(ctx)
	})
}

var (
	disruptiveOnce  sync.Once
	disruptiveCheck error
)

// runTakesDisruptive is disruptiveSelected for this run, worked out once
// per process rather than for every spec.
var runTakesDisruptive = sync.OnceValue(func() bool { return disruptiveSelected(GinkgoLabelFilter(), *disruptive) })

// disruptivePermissions checks, once per process, what the Disruptive
// specs need beyond the runner role.
func disruptivePermissions(ctx context.Context) error {
	disruptiveOnce.Do(func() {
		disruptiveCheck = rbac.Check(ctx, Cluster.Clientset, rbac.DisruptiveRole, rbac.Disruptive)
	})
	return disruptiveCheck
}

// disruptiveSelected reports whether the run asks for Disruptive specs
// as such (-disruptive, or a label filter that a spec labelled only
// Disruptive matches), so that preflight checks their permissions up
// front; a filter selecting some of them by other labels too is caught
// by guardSuite before the first one starts.
func disruptiveSelected(filter string, enabled bool) bool {
	match, err := types.ParseLabelFilter(withDisruptive(filter, enabled))
	return err == nil && match([]string{Disruptive})
}

// disruptiveInParallel says why a run cannot take Disruptive specs
// ("" when it can): they break the cluster on purpose, so in a run with
// parallel processes only the cluster's lock (lockSpec) keeps other specs
// from running beside them, and without file locks (lockable) the run
// must have one process. They are not marked Serial, which would
// serialize them within a parallel run: Ginkgo keeps Serial specs, even
// the ones a label filter leaves out, for process 1 after every other
// process has finished, so in every parallel run process 1 would sit
// idle instead of starting to remove what it kept (OnProcessEnd).
// selected is whether the run asks for them.
func disruptiveInParallel(selected bool, c types.SuiteConfig, lockable bool) string {
	if !selected || c.ParallelTotal <= 1 || lockable {
		return ""
	}
	return fmt.Sprintf("the Disruptive specs do not start: they break the cluster on purpose and run with nothing beside them, which a run with %d parallel processes cannot ensure without file locks on this platform: run them without -p (go tool ginkgo --label-filter Disruptive …, or go test … -disruptive)", c.ParallelTotal)
}

// lockSpec holds the current spec, in a run that takes Disruptive specs,
// to the cluster's lock (framework/clusterlock), which every process of
// the run and every suite package go test runs beside it against the same
// cluster takes: exclusive, so that nothing runs beside the spec, unless
// the spec is Disruptive and Confined, which shares it with other Confined
// specs and holds its scope's lock alone. The locks go back after the
// spec's repairs: a DeferCleanup registered here, before the spec's own,
// runs after them.
func lockSpec(ctx SpecContext, labels []string) {
	GinkgoHelper()
	type lock struct {
		name    string
		mode    clusterlock.Mode
		waiting string // what the spec says while it waits
	}
	locks := []lock{{"cluster", clusterlock.Exclusive, "waiting for the specs under way to end: this run breaks the cluster on purpose, and this spec runs with nothing beside it"}}
	if scope := confinedScope(labels); scope != "" && slices.Contains(labels, Disruptive) {
		locks = []lock{
			{"cluster", clusterlock.Shared, "waiting for a spec that runs alone to end: this one runs only beside other Confined specs"},
			{"scope-" + scope, clusterlock.Exclusive, "waiting for the other spec confined to " + scope + " to end"},
		}
	}
	dir := clusterlock.Dir(Cluster.Config.Host)
	var waited time.Duration
	for _, k := range locks {
		start, busy := time.Now(), false
		l, err := clusterlock.Acquire(ctx, filepath.Join(dir, k.name), k.mode,
			clusterlock.Poll(timeouts.Current.Poll), clusterlock.WhenBusy(func() { busy = true; By(k.waiting) }))
		Expect(err).NotTo(HaveOccurred(), "this run breaks the cluster on purpose: each spec waits for its turn")
		DeferCleanup(l.Release)
		if busy {
			waited += time.Since(start)
		}
	}
	// The report counts a spec's own time, not its wait.
	if waited > 0 {
		AddReportEntry(EntryWaited, fmt.Sprintf("%.3f", waited.Seconds()), ReportEntryVisibilityNever)
	}
}
