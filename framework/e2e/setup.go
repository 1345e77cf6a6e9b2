package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	// The add-ons register themselves for the embedded cluster.
	_ "github.com/netconform/netconform/framework/addon"
	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/clusterlock"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

var (
	kubeconfig  = flag.String("kubeconfig", "", "kubeconfig of the cluster under test (default: $KUBECONFIG; when neither is set, an embedded kind cluster is created)")
	keepCluster = flag.Bool("keep-cluster", false, "keep the embedded kind cluster after the run")
	embeddedCNI = flag.String("cni", cluster.DefaultCNI, "CNI of the embedded kind cluster")
	embeddedAdd = flag.String("addons", cluster.DefaultAddOns, "add-ons of the embedded kind cluster, comma-separated (empty: none)")
	reportDir   = flag.String("report-dir", os.Getenv("NETCONFORM_REPORT_DIR"), "directory for the JUnit, Ginkgo JSON and conformance reports (none when empty)")
	disruptive  = flag.Bool("disruptive", false, "also run the Disruptive specs, which break the cluster on purpose and repair it (never on a cluster in use)")
	timeoutSpec = flag.String("timeouts", "", "override named timeouts, e.g. podReady=3m,converge=90s (also $NETCONFORM_TIMEOUTS); names: "+strings.Join(timeouts.Names(), ", "))
	cleanupWait = flag.Bool("cleanup-wait", os.Getenv("NETCONFORM_CLEANUP_WAIT") != "false", "at the run's end, wait until its namespaces are gone (false, also $NETCONFORM_CLEANUP_WAIT=false: delete them and end; whoever runs the next step checks they went, as scripts/row.sh does with netconform cleanup --dry-run --wait)")
	timeoutMult = flag.Float64("timeout-factor", 0, "multiply every timeout by this factor, for slow or large clusters (also $NETCONFORM_TIMEOUT_FACTOR)")
)

// RunIDLabel marks every object a run creates.
const RunIDLabel = kube.RunIDLabel

// EmbeddedClusterName is the kind cluster the suites create when given no kubeconfig.
const EmbeddedClusterName = "netconform-embedded"

// RunID identifies this run. Process 1 picks it and hands it to the other
// parallel processes; NETCONFORM_RUN_ID sets it.
var RunID string

// Cluster is the cluster under test, open in every parallel process.
var Cluster *kube.Client

// Env is what the first process learnt about the cluster under test.
type Env struct {
	RunID      string       `json:"runID"`
	Kubeconfig string       `json:"kubeconfig"`
	Embedded   string       `json:"embedded,omitempty"`
	CNI        cni.Detected `json:"cni"`
	Nodes      int          `json:"nodes"`
	// Features is the cluster's feature set, detected once per run.
	Features feature.Set `json:"features"`
}

// Current is this process's copy of the first process's Env.
var Current Env

var lease *cluster.Lease

// RunSuite runs a concept's specs against the cluster under test: it
// resolves (or creates) the cluster, runs preflight once, shares the run ID
// with parallel processes, cleans up every object the run made (also after
// Ctrl-C), and writes the reports.
func RunSuite(t *testing.T, suite string) { RunSuites(t, suite) }

// RunSuites is RunSuite for the specs of several suites linked into one
// test binary (suites/all): one Ginkgo run, whose parallel processes take
// specs from every suite, with one preflight and one cleanup, and each
// suite's reports written as its own run would write them.
func RunSuites(t *testing.T, suites ...string) {
	write := func(r Report) error { return writeReports(r, suites[0], *reportDir) }
	if len(suites) > 1 {
		write = func(r Report) error {
			_, _, err := writeSuiteReports(r, suites, *reportDir)
			return err
		}
	}
	if err := registerSuiteNodes(write); err != nil {
		t.Fatal(err)
	}
	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.LabelFilter = withDisruptive(suiteConfig.LabelFilter, *disruptive)
	RunSpecs(t, strings.Join(suites, ", "), suiteConfig, reporterConfig, guardSuite())
}

// onReady, when set, hears of the cluster once preflight passed (Verify
// prints it; go test logs it to GinkgoWriter).
var onReady func(Env)

// registerSuiteNodes applies the flags and registers the nodes every run
// shares, whichever way it is started (RunSuite, Verify): the cluster
// resolved (or created) and preflight checked once, the run ID shared
// with parallel processes, every object the run made removed at the end
// (also after Ctrl-C), and the reports written by write.
func registerSuiteNodes(write func(Report) error) error {
	RegisterFailHandler(Fail)
	if err := timeouts.Override(*timeoutSpec, *timeoutMult); err != nil {
		return err
	}
	if err := prepareReportDir(*reportDir); err != nil {
		return err
	}
	SetDefaultEventuallyPollingInterval(timeouts.Current.Poll)
	SetDefaultConsistentlyPollingInterval(timeouts.Current.Repeat)
	SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
		suiteConfig, _ := GinkgoConfiguration()
		if why := disruptiveInParallel(*disruptive || disruptiveSelected(GinkgoLabelFilter(), false), suiteConfig, clusterlock.Supported); why != "" {
			Fail(why)
		}
		env := Env{RunID: newRunID(), Kubeconfig: KubeconfigPath()}
		if env.Kubeconfig == "" {
			By("creating the embedded kind cluster " + EmbeddedClusterName + " (no kubeconfig given)")
			addOns, err := cluster.LookupAddOns(splitList(*embeddedAdd)...)
			Expect(err).NotTo(HaveOccurred(), "-addons")
			lease, err = cluster.Acquire(ctx, cluster.Config{Name: EmbeddedClusterName, CNI: *embeddedCNI, AddOns: addOns, Log: logf}, buildImages)
			Expect(err).NotTo(HaveOccurred(), "creating the embedded cluster")
			env.Kubeconfig, env.Embedded = lease.Cluster.Kubeconfig, EmbeddedClusterName
		}
		cl, err := kube.Open(ctx, env.Kubeconfig)
		Expect(err).NotTo(HaveOccurred(), "cannot reach the cluster under test")
		pre, err := Preflight(ctx, cl)
		Expect(err).NotTo(HaveOccurred(), "preflight")
		env.CNI, env.Nodes, env.Features = pre.CNI, pre.Nodes, pre.Features
		logf("cluster %s: Kubernetes %s, %d nodes, CNI %s; run ID %s; features:\n%s", cl.Config.Host, cl.Version, env.Nodes, env.CNI, env.RunID, env.Features)
		data, err := json.Marshal(env)
		Expect(err).NotTo(HaveOccurred())
		return data
	}, func(ctx SpecContext, data []byte) {
		Expect(json.Unmarshal(data, &Current)).To(Succeed())
		RunID = Current.RunID
		var err error
		Cluster, err = kube.Open(ctx, Current.Kubeconfig)
		Expect(err).NotTo(HaveOccurred(), "cannot reach the cluster under test")
		watchCluster(ctx, Cluster)
		if onReady != nil {
			onReady(Current)
		}
	}, NodeTimeout(timeouts.Current.Preflight+timeouts.Current.ClusterCreate))

	SynchronizedAfterSuite(func(ctx SpecContext) {
		for _, f := range processEnd {
			f(ctx)
		}
	}, func(ctx SpecContext) {
		if Cluster != nil {
			Expect(DeleteRunObjects(ctx, Cluster, RunID, *cleanupWait)).To(Succeed(), "removing what run %s created", RunID)
		}
		if lease != nil {
			Expect(lease.Release(ctx, *keepCluster)).To(Succeed())
		}
	}, NodeTimeout(timeouts.Current.Cleanup+time.Minute))

	ReportAfterSuite("reports", func(r Report) {
		if *reportDir != "" {
			Expect(write(r)).To(Succeed())
		}
	})
	return nil
}

// processEnd is what OnProcessEnd registered.
var processEnd []func(context.Context)

// OnProcessEnd registers f (at package level: var _ = OnProcessEnd(…))
// to run on this parallel process once it has
// run its last spec, before process 1 removes what the run made and waits
// for it to go: what a process kept for its specs (a topology reused from
// spec to spec) starts going while other processes still run theirs.
func OnProcessEnd(f func(ctx context.Context)) bool {
	processEnd = append(processEnd, f)
	return true
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// ChooseRunID picks this run's ID now, before the suite runs (netconform
// verify names its log after it), and returns it; the setup keeps it.
func ChooseRunID() string {
	if RunID == "" {
		RunID = newRunID()
	}
	return RunID
}

func newRunID() string {
	if RunID != "" {
		return RunID // chosen before the run by ChooseRunID
	}
	if id := os.Getenv("NETCONFORM_RUN_ID"); id != "" {
		return id
	}
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func logf(format string, args ...any) {
	GinkgoWriter.Printf(time.Now().Format("15:04:05")+"  "+format+"\n", args...)
}

// buildImages builds what the embedded cluster needs (a few seconds when
// everything is cached; the first build on a machine takes a while).
func buildImages(ctx context.Context) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := images.FindRepoRoot(wd)
	if err != nil {
		return err
	}
	b := &images.Builder{RepoRoot: root, CacheDir: images.DefaultCacheDir(), DebianMirror: os.Getenv("NETCONFORM_DEBIAN_MIRROR"), Log: logf}
	return b.Build(ctx)
}

// withDisruptive keeps the Disruptive specs out of a run unless asked for,
// by -disruptive or by a label filter that names them: they break the
// cluster on purpose, and nothing orders them against suite packages that
// go test runs at the same time.
func withDisruptive(filter string, enabled bool) string {
	switch {
	case enabled || strings.Contains(filter, Disruptive):
		return filter
	case filter == "":
		return "!" + Disruptive
	}
	return "(" + filter + ") && !" + Disruptive
}

// KubeconfigPath is the kubeconfig the run was given (-kubeconfig, else
// $KUBECONFIG; "" when the embedded cluster will be created). Suites that
// shape their spec tree after the cluster (one container per IngressClass)
// read it before RunSuite; flags are parsed by then.
func KubeconfigPath() string {
	if *kubeconfig != "" {
		return *kubeconfig
	}
	return os.Getenv("KUBECONFIG")
}
