package e2e

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/matrix"
	"github.com/netconform/netconform/framework/reach"
	"github.com/netconform/netconform/framework/timeouts"
)

// Topology is a set of namespaces (x, y, z by default) with the same agent
// pods in each (a, b, c by default): labels pod=<name> on pods and
// ns=<name> on namespaces. Any suite can deploy one and observe its
// reachability matrix against what the objects in the cluster demand.
// One topology can serve every spec of an Ordered container; Reset returns
// it to its initial state.
type Topology struct {
	cl         *kube.Client
	NS         map[string]string // logical name (x) -> real namespace
	Pods       []*corev1.Pod
	namespaces []string                     // logical names, in order
	nsLabels   map[string]map[string]string // real namespace -> labels at creation
	// lastMismatch holds the tables of the latest observation that did not
	// match, for the conformance report of a spec that fails; lastFlows
	// a few of its differing cells, for the CNI's own diagnosis.
	lastMismatch *Mismatch
	lastFlows    []cni.Flow
	// stepBefore holds the expected tables of the current case's last
	// step (nil at the all-allowed baseline), which its next step must
	// change.
	stepBefore []*reach.Table
	// nodeChecks holds, within one wait for the matrix, what the CNI's
	// agent on a node the differing cells point to showed.
	nodeChecks map[string]nodeCheck
}

// TopologyOption changes the topology DeployTopology makes.
type TopologyOption func(*topologyConfig)

type topologyConfig struct {
	base       string
	namespaces []string
	pods       []string
	podOptions []agent.PodOption
	suiteLong  bool
}

// ForTheSuite keeps the topology until the suite ends instead of removing
// it with the spec that deployed it, so that later specs of the same
// Ginkgo process reuse it (Reset between them): the run's cleanup removes
// it with every other object labelled with the run ID, at the suite's end
// or, after a crash, through netconform cleanup --run-id.
func ForTheSuite() TopologyOption {
	return func(c *topologyConfig) { c.suiteLong = true }
}

// WithNamespaces names the topology's logical namespaces (x, y, z by default).
func WithNamespaces(names ...string) TopologyOption {
	return func(c *topologyConfig) { c.namespaces = names }
}

// WithPods names the pods deployed in each namespace (a, b, c by default).
func WithPods(names ...string) TopologyOption {
	return func(c *topologyConfig) { c.pods = names }
}

// WithPodOptions applies agent pod options to every pod (the ports it
// serves, say).
func WithPodOptions(opts ...agent.PodOption) TopologyOption {
	return func(c *topologyConfig) { c.podOptions = append(c.podOptions, opts...) }
}

// DeployTopology creates the namespaces (named after base) and their pods,
// and waits for all of them; everything goes when the spec or container
// that deployed it ends (or the suite, ForTheSuite).
func DeployTopology(ctx context.Context, cl *kube.Client, base string, opts ...TopologyOption) *Topology {
	GinkgoHelper()
	cfg := topologyConfig{base: base, namespaces: []string{"x", "y", "z"}, pods: []string{"a", "b", "c"}}
	for _, o := range opts {
		o(&cfg)
	}
	namespace, deploy := Namespace, DeployAll
	if cfg.suiteLong {
		namespace, deploy = SuiteNamespace, DeployKept
	}
	t := &Topology{cl: cl, NS: map[string]string{}, namespaces: cfg.namespaces, nsLabels: map[string]map[string]string{}}
	placement := agent.Spread(hostingNodes(ctx, cl), cfg.namespaces, cfg.pods, topologyLane())
	topologiesDeployed++
	var pods []*corev1.Pod
	for _, ns := range cfg.namespaces {
		t.NS[ns] = namespace(ctx, cl, cfg.base+"-"+ns)
		t.nsLabels[t.NS[ns]] = t.Label(ctx, ns, map[string]string{"ns": ns})
		for _, name := range cfg.pods {
			podOpts := append(slices.Clone(cfg.podOptions), agent.WithLabels(map[string]string{"pod": name}),
				agent.OnNode(placement[ns][name]))
			pods = append(pods, agent.Pod(name, t.NS[ns], podOpts...))
		}
	}
	t.Pods = deploy(ctx, cl, pods...)
	logf("topology %s: %s", cfg.base, t.placement())
	return t
}

// topologiesDeployed counts this process's topologies: with the parallel
// process it makes the lane of the next one.
var topologiesDeployed int

// topologyLane is unique to each topology of the run (process p's k-th
// topology is lane k×procs + p−1): on a cluster with more nodes than a
// topology has pods, the lanes start on successive nodes and together
// cover every node.
func topologyLane() int {
	suite, _ := GinkgoConfiguration()
	return topologiesDeployed*suite.ParallelTotal + GinkgoParallelProcess() - 1
}

// hostingNodes lists the nodes a test pod can run on, in name order, the
// control plane and tainted nodes included (the agent tolerates every
// taint and is placed by nodeName, as the pods suite's mesh is), and
// names every node that cannot host one in the run's output and the
// spec's report.
func hostingNodes(ctx context.Context, cl *kube.Client) []string {
	GinkgoHelper()
	list, err := cl.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	Expect(err).NotTo(HaveOccurred(), "listing nodes")
	var nodes, unfit []string
	for _, n := range list.Items {
		if why := agent.Unfit(n); why != "" {
			unfit = append(unfit, n.Name+": "+why)
			continue
		}
		nodes = append(nodes, n.Name)
	}
	if len(unfit) > 0 {
		msg := fmt.Sprintf("no test pod on %d node(s), which cannot host one: %s", len(unfit), strings.Join(unfit, "; "))
		logf("%s", msg)
		AddReportEntry("nodes without test pods", msg)
	}
	Expect(nodes).NotTo(BeEmpty(), "no node can host a test pod (%s)", strings.Join(unfit, "; "))
	slices.Sort(nodes)
	return nodes
}

// placement says which pods run on which node, by node.
func (t *Topology) placement() string {
	byNode := map[string][]string{}
	for _, p := range t.Pods {
		short := t.short(matrix.PeerOf(p))
		byNode[p.Spec.NodeName] = append(byNode[p.Spec.NodeName], short.Namespace+"/"+short.Pod)
	}
	var nodes []string
	for _, n := range slices.Sorted(maps.Keys(byNode)) {
		nodes = append(nodes, n+": "+strings.Join(byNode[n], " "))
	}
	return "on node " + strings.Join(nodes, "; on node ")
}

// StartRemoval deletes the topology's namespaces (their pods with them)
// without waiting for them to go: for a topology kept ForTheSuite, whose
// removal the run's cleanup then waits for.
func (t *Topology) StartRemoval(ctx context.Context) error {
	var errs []error
	for _, ns := range t.NS {
		errs = append(errs, t.cl.DeleteNamespace(ctx, ns))
	}
	return errors.Join(errs...)
}

// Label merges labels into a namespace and returns all its labels.
func (t *Topology) Label(ctx context.Context, ns string, labels map[string]string) map[string]string {
	GinkgoHelper()
	n, err := t.cl.Clientset.CoreV1().Namespaces().Get(ctx, t.NS[ns], metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	maps.Copy(n.Labels, labels)
	n, err = t.cl.Clientset.CoreV1().Namespaces().Update(ctx, n, metav1.UpdateOptions{})
	Expect(err).NotTo(HaveOccurred())
	return n.Labels
}

// Reset deletes every NetworkPolicy of the topology and puts back the
// labels its pods and namespaces had at creation.
func (t *Topology) Reset(ctx context.Context) {
	GinkgoHelper()
	t.stepBefore = nil
	for _, ns := range t.NS {
		Expect(t.cl.Clientset.NetworkingV1().NetworkPolicies(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})).
			To(Succeed(), "deleting the NetworkPolicies of %s", ns)
		n, err := t.cl.Clientset.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		if !maps.Equal(n.Labels, t.nsLabels[ns]) {
			n.Labels = maps.Clone(t.nsLabels[ns])
			_, err = t.cl.Clientset.CoreV1().Namespaces().Update(ctx, n, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred(), "restoring the labels of namespace %s", ns)
		}
	}
	for _, p := range t.Pods {
		live, err := t.cl.Clientset.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		if !maps.Equal(live.Labels, p.Labels) {
			live.Labels = maps.Clone(p.Labels)
			_, err = t.cl.Clientset.CoreV1().Pods(p.Namespace).Update(ctx, live, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred(), "restoring the labels of pod %s/%s", p.Namespace, p.Name)
		}
	}
}

// Pod returns the pod ns/name of the topology.
func (t *Topology) Pod(ns, name string) *corev1.Pod {
	GinkgoHelper()
	for _, p := range t.Pods {
		if p.Namespace == t.NS[ns] && p.Name == name {
			return p
		}
	}
	Fail(fmt.Sprintf("no pod %s/%s in the topology", ns, name))
	return nil
}

// Apply creates a policy in the logical namespace ns and removes it after the spec.
func (t *Topology) Apply(ctx context.Context, ns string, np *networkingv1.NetworkPolicy) {
	GinkgoHelper()
	np.Namespace = t.NS[ns]
	Create(ctx, t.cl, np)
}

// DeletePolicy deletes the policy name of the logical namespace ns.
func (t *Topology) DeletePolicy(ctx context.Context, ns, name string) {
	GinkgoHelper()
	Expect(t.cl.Clientset.NetworkingV1().NetworkPolicies(t.NS[ns]).Delete(ctx, name, metav1.DeleteOptions{})).
		To(Succeed(), "deleting NetworkPolicy %s/%s", t.NS[ns], name)
}

// RelabelPod sets one label of the pod ns/name in the cluster (Reset puts
// its labels back).
func (t *Topology) RelabelPod(ctx context.Context, ns, name, key, value string) {
	GinkgoHelper()
	p := t.Pod(ns, name)
	live, err := t.cl.Clientset.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	live.Labels[key] = value
	_, err = t.cl.Clientset.CoreV1().Pods(p.Namespace).Update(ctx, live, metav1.UpdateOptions{})
	Expect(err).NotTo(HaveOccurred(), "labelling pod %s/%s %s=%s", p.Namespace, p.Name, key, value)
}

// Expected computes, from the live objects, the truth table of every case.
func (t *Topology) Expected(ctx context.Context, cases []reach.Case) ([]*reach.Table, error) {
	want, _, err := t.expected(ctx, cases)
	return want, err
}

// expected is Expected with, for every case, the pods that police each
// cell.
func (t *Topology) expected(ctx context.Context, cases []reach.Case) ([]*reach.Table, []reach.Policing, error) {
	var policies []networkingv1.NetworkPolicy
	var namespaces []corev1.Namespace
	var pods []corev1.Pod
	for _, ns := range t.namespaces {
		nps, err := t.cl.Clientset.NetworkingV1().NetworkPolicies(t.NS[ns]).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, nil, err
		}
		policies = append(policies, nps.Items...)
		n, err := t.cl.Clientset.CoreV1().Namespaces().Get(ctx, t.NS[ns], metav1.GetOptions{})
		if err != nil {
			return nil, nil, err
		}
		namespaces = append(namespaces, *n)
	}
	for _, p := range t.Pods {
		live, err := t.cl.Clientset.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		if err != nil {
			return nil, nil, err
		}
		pods = append(pods, *live)
	}
	snap := reach.NewSnapshot(policies, pods, namespaces)
	var out []*reach.Table
	var policing []reach.Policing
	for _, c := range cases {
		tbl, err := snap.Expect(c)
		if err != nil {
			return nil, nil, err
		}
		p, err := snap.Policing(c)
		if err != nil {
			return nil, nil, err
		}
		out, policing = append(out, tbl), append(policing, p)
	}
	return out, policing, nil
}

// matches observes the whole matrix once and compares it with what the
// evaluator expects from the objects now in the cluster.
func (t *Topology) matches(ctx context.Context, g Gomega, cases []reach.Case) {
	want, policing, err := t.expected(ctx, cases)
	g.Expect(err).NotTo(HaveOccurred(), "computing the expected reachability")
	got, err := matrix.Observe(ctx, t.cl, t.Pods, cases, matrix.Options{TimeoutMs: timeouts.Ms(timeouts.Current.Attempt), Container: agent.Container, Expected: want})
	g.Expect(err).NotTo(HaveOccurred(), "observing the matrix")
	var failures []string
	var m Mismatch
	var flows []cni.Flow
	var byNode []reach.Observed
	for i, c := range cases {
		byNode = append(byNode, reach.Observed{Expected: want[i], Observed: got[i], Policing: policing[i]})
		expected, observed := want[i].Renamed(t.short), got[i].Renamed(t.short)
		if ok, report := reach.Compare(expected, observed); !ok {
			failures = append(failures, fmt.Sprintf("%s:\n%s", c, report))
			m.Add(c.String(), expected, observed)
			flows = append(flows, t.differing(want[i], got[i], c.String())...)
		}
	}
	t.lastMismatch, t.lastFlows = nil, nil
	if len(failures) > 0 {
		m.Legend = t.legend()
		t.lastMismatch, t.lastFlows = &m, flows
	}
	headline := ""
	if len(failures) > 0 {
		headline = t.headline(ctx, reach.ByNode(byNode, t.nodeOf)) + "\n"
	}
	g.Expect(len(failures)).To(BeZero(), "%sobserved reachability differs from the policies in %d of %d cases (%s)\n%s",
		headline, len(failures), len(cases), t.legend(), strings.Join(failures, "\n"))
}

// nodeOf is the node a peer of the topology runs on ("" for none).
func (t *Topology) nodeOf(p reach.Peer) string {
	for _, pod := range t.Pods {
		if pod.Namespace == p.Namespace && pod.Name == p.Pod {
			return pod.Spec.NodeName
		}
	}
	return ""
}

// nodeCheck is what the CNI's agent on a node showed of its enforcement.
type nodeCheck struct {
	finding cni.NodeFinding
	checked bool // the CNI's descriptor has a node check
	err     error
}

// headline is a failure's first line: the verdict by node, and when it
// points to a node, what the CNI's agent there shows, checked once per
// node and observation window (the pattern recurs at every poll).
func (t *Topology) headline(ctx context.Context, v reach.NodeVerdict) string {
	if v.Node == "" {
		return v.Headline()
	}
	c, seen := t.nodeChecks[v.Node]
	if !seen {
		c.finding, c.checked, c.err = cni.DiagnoseNodePolicy(ctx, t.cl, Current.CNI, v.Node)
		if t.nodeChecks == nil {
			t.nodeChecks = map[string]nodeCheck{}
		}
		t.nodeChecks[v.Node] = c
	}
	return NodeHeadline(v, Current.CNI.Name, c.finding, c.checked, c.err)
}

// NodeHeadline states a verdict that points to a node together with what
// the CNI's agent there showed: the node is named as where enforcement
// fails only once the agent's check found the fault; a check that found
// none, failed, or does not exist is said as such.
func NodeHeadline(v reach.NodeVerdict, cniName string, f cni.NodeFinding, checked bool, err error) string {
	if v.Node == "" {
		return v.Headline()
	}
	pattern := fmt.Sprintf("all %d differing cells have their policed pod on node %s; no cell differs for pods on the other nodes", v.Unenforced, v.Node)
	switch {
	case !checked:
		return fmt.Sprintf("the differing cells point to node %s: %s; %s's descriptor has no check of a node's policy agent", v.Node, pattern, cniName)
	case err != nil:
		return fmt.Sprintf("the differing cells point to node %s: %s; checking %s's agent there failed: %v", v.Node, pattern, cniName, err)
	case f.Fault == "":
		return fmt.Sprintf("the differing cells point to node %s: %s; but %s", v.Node, pattern, f.Checked)
	}
	return v.Headline() + "; " + f.Fault
}

// reportMismatch attaches the tables of the last observation that did not
// match to a failed spec's report: the conformance report then carries
// them, not only the failure message.
func (t *Topology) reportMismatch() {
	if t.lastMismatch == nil || !CurrentSpecReport().Failed() {
		return
	}
	ReportMismatch(*t.lastMismatch)
	if len(t.lastFlows) > 0 {
		if why := t.CNIDiagnosis(context.Background()); why != "" {
			AddReportEntry("the CNI's view of the differing cells", why)
		}
	}
	t.lastMismatch, t.lastFlows = nil, nil
}

// maxDiagnosed bounds the differing cells the CNI is asked about (each
// costs execs into its agents).
const maxDiagnosed = 3

// differing lists the first cells (pod pairs) where observed differs from
// expected, with their addresses and nodes.
func (t *Topology) differing(expected, observed *reach.Table, what string) []cni.Flow {
	pods := map[reach.Peer]*corev1.Pod{}
	for _, p := range t.Pods {
		pods[reach.Peer{Namespace: p.Namespace, Pod: p.Name}] = p
	}
	diff, _ := expected.Diff(observed)
	var out []cni.Flow
	for _, from := range diff.Peers() {
		for _, to := range diff.Peers() {
			if len(out) == maxDiagnosed {
				return out
			}
			src, dst := pods[from], pods[to]
			if src == nil || dst == nil || diff.Get(from, to) != reach.Deny {
				continue
			}
			out = append(out, cni.Flow{What: what, Expected: expected.Get(from, to).String(), Observed: observed.Get(from, to).String(),
				Src: cni.Endpoint{Namespace: src.Namespace, Pod: src.Name, IP: src.Status.PodIP, Node: src.Spec.NodeName},
				Dst: cni.Endpoint{Namespace: dst.Namespace, Pod: dst.Name, IP: dst.Status.PodIP, Node: dst.Spec.NodeName}})
		}
	}
	return out
}

// short names a peer by its logical namespace (x, y, z), so that printed
// tables stay narrow; the legend maps them back.
func (t *Topology) short(p reach.Peer) reach.Peer {
	for logical, real := range t.NS {
		if p.Namespace == real {
			return reach.Peer{Namespace: logical, Pod: p.Pod}
		}
	}
	return p
}

// legend names the namespaces behind x, y, z and the node each pod runs
// on: a cell that differs is then placed on its two nodes.
func (t *Topology) legend() string {
	parts := make([]string, len(t.namespaces))
	for i, ns := range t.namespaces {
		parts[i] = ns + "=" + t.NS[ns]
	}
	return strings.Join(parts, " ") + "; " + t.placement()
}

// ExpectBaseline waits until the matrix matches the objects once: before
// any policy, every pod reaches every pod on every port, which is what a
// spec must see before its deny can mean anything. The next step is a
// case's first.
func (t *Topology) ExpectBaseline(ctx context.Context, cases ...reach.Case) {
	GinkgoHelper()
	t.stepBefore, t.nodeChecks = nil, nil
	DeferCleanup(t.reportMismatch)
	Eventually(ctx, func(g Gomega) { t.matches(ctx, g, cases) }).WithTimeout(timeouts.Current.Converge).Should(Succeed())
}

// ExpectStep holds the tables the evaluator expects from the objects now
// in the cluster, just after a step of a case, to what the step intends
// (reach.Step.Check), before anything is probed: a step that denies
// nothing, or changes nothing, would pass on a CNI that enforces nothing.
func (t *Topology) ExpectStep(ctx context.Context, step reach.Step, cases ...reach.Case) {
	GinkgoHelper()
	want, err := t.Expected(ctx, cases)
	Expect(err).NotTo(HaveOccurred(), "computing the expected reachability (%s)", step)
	if err := step.Check(t.stepBefore, want); err != nil {
		Fail(err.Error())
	}
	t.stepBefore = want
}

// ExpectEnforced checks a step's expected tables against its intent
// (ExpectStep), waits until the matrix matches the policies, then shows
// it stays so: every observation for timeouts.Current.Stays matches (the
// first at once, so the matrix is seen at least twice in a row), a deny
// that holds, not a lucky timeout.
func (t *Topology) ExpectEnforced(ctx context.Context, step reach.Step, cases ...reach.Case) {
	GinkgoHelper()
	t.ExpectStep(ctx, step, cases...)
	t.nodeChecks = nil
	DeferCleanup(t.reportMismatch)
	check := func(g Gomega) { t.matches(ctx, g, cases) }
	By("the matrix converges to what the policies allow")
	Eventually(ctx, check).WithTimeout(timeouts.Current.Converge).Should(Succeed())
	By(fmt.Sprintf("the matrix stays so for %s", timeouts.Current.Stays))
	observed := 0
	Consistently(ctx, func(g Gomega) { observed++; check(g) }).WithTimeout(timeouts.Current.Stays).WithPolling(timeouts.Current.Repeat).Should(Succeed())
	if observed < 2 {
		// One observation outlasted the window: the second in a row.
		Expect(Failure(check)).To(BeEmpty(), "the matrix after %s", timeouts.Current.Stays)
	}
}

// Violations observes the matrix once and returns how it differs from the
// policies ("" when it does not): what a CNI that claims NetworkPolicy but
// does not enforce it is reported with.
func (t *Topology) Violations(ctx context.Context, cases ...reach.Case) string {
	t.nodeChecks = nil
	return Failure(func(g Gomega) { t.matches(ctx, g, cases) })
}

// CNIDiagnosis is what the CNI's agents say of the differing cells of the
// last observation that did not match ("" when it matched, or the CNI's
// descriptor has no diagnosis).
func (t *Topology) CNIDiagnosis(ctx context.Context) string {
	return cni.DiagnosePolicy(ctx, t.cl, Current.CNI, t.lastFlows)
}
