package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

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
// their permissions. It registers a top-level BeforeEach and returns the
// decorator for RunSpecs.
func guardSuite() types.AroundNodeDecorator {
	BeforeEach(func(ctx SpecContext) {
		if clusterWatch != nil {
			if s := clusterWatch.Stopped(); s != nil {
				AbortSuite(s.Message + "; the remaining specs do not start (what the run left: netconform cleanup --run-id " + RunID + ")")
			}
		}
		if slices.Contains(CurrentSpecReport().Labels(), Disruptive) {
			suiteConfig, _ := GinkgoConfiguration()
			if why := disruptiveInParallel(true, suiteConfig); why != "" {
				AbortSuite(why)
			}
			if err := disruptivePermissions(ctx); err != nil {
				AbortSuite("the Disruptive specs do not start: " + err.Error())
			}
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
// ("" when it can): they break the cluster on purpose, so nothing else may
// run beside them, and the run must have one process. They are not marked
// Serial, which would serialize them within a parallel run: Ginkgo keeps
// Serial specs, even the ones a label filter leaves out, for process 1
// after every other process has finished, so in every parallel run
// process 1 would sit idle instead of starting to remove what it kept
// (OnProcessEnd). selected is whether the run asks for them.
func disruptiveInParallel(selected bool, c types.SuiteConfig) string {
	if !selected || c.ParallelTotal <= 1 {
		return ""
	}
	return fmt.Sprintf("the Disruptive specs do not start: they break the cluster on purpose and run one at a time, with nothing beside them, but this run has %d parallel processes: run them without -p (go tool ginkgo --label-filter Disruptive …, or go test … -disruptive)", c.ParallelTotal)
}
