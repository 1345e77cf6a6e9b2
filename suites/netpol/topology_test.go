package netpol

import (
	"context"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/matrix"
	"github.com/netconform/netconform/framework/reach"
)

// Timeouts of this suite, named in one place.
const (
	// ConvergeTimeout bounds how long a CNI may take to enforce a change.
	ConvergeTimeout = 60 * time.Second
	// StaysTimeout is how long an enforced matrix must then stay as it is.
	StaysTimeout = 6 * time.Second
	// ProbeTimeoutMs is what one denied cell costs.
	ProbeTimeoutMs = 1000
)

// Cases every matrix covers: two port numbers, over TCP and UDP.
var (
	tcpA  = reach.Case{Port: fixtures.PolicyPortA, Protocol: corev1.ProtocolTCP}
	tcpB  = reach.Case{Port: fixtures.PolicyPortB, Protocol: corev1.ProtocolTCP}
	udpA  = reach.Case{Port: fixtures.PolicyPortA, Protocol: corev1.ProtocolUDP}
	udpB  = reach.Case{Port: fixtures.PolicyPortB, Protocol: corev1.ProtocolUDP}
	cases = []reach.Case{tcpA, tcpB, udpA, udpB}
)

// Topology is three namespaces x, y, z with pods a, b, c each: labels
// pod=<name> on pods and ns=<name> on namespaces.
type Topology struct {
	cl   *kube.Client
	NS   map[string]string // logical name (x) -> real namespace
	Pods []*corev1.Pod
}

// deployTopology creates the nine pods and waits for all of them.
func deployTopology(ctx context.Context, cl *kube.Client) *Topology {
	GinkgoHelper()
	t := &Topology{cl: cl, NS: map[string]string{}}
	var pods []*corev1.Pod
	for _, ns := range []string{"x", "y", "z"} {
		t.NS[ns] = e2e.Namespace(ctx, cl, "netpol-"+ns)
		t.Label(ctx, ns, map[string]string{"ns": ns})
		for _, name := range []string{"a", "b", "c"} {
			pods = append(pods, fixtures.AgentPod(name, t.NS[ns], fixtures.WithPolicyPorts(), fixtures.WithLabels(map[string]string{"pod": name})))
		}
	}
	t.Pods = e2e.DeployAll(ctx, cl, pods...)
	return t
}

// Label merges labels into a namespace.
func (t *Topology) Label(ctx context.Context, ns string, labels map[string]string) {
	GinkgoHelper()
	n, err := t.cl.Clientset.CoreV1().Namespaces().Get(ctx, t.NS[ns], metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred())
	for k, v := range labels {
		n.Labels[k] = v
	}
	_, err = t.cl.Clientset.CoreV1().Namespaces().Update(ctx, n, metav1.UpdateOptions{})
	Expect(err).NotTo(HaveOccurred())
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
	if np.Labels == nil {
		np.Labels = map[string]string{}
	}
	np.Labels[e2e.RunIDLabel] = e2e.RunID
	_, err := t.cl.Clientset.NetworkingV1().NetworkPolicies(np.Namespace).Create(ctx, np, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred(), "creating NetworkPolicy %s/%s", np.Namespace, np.Name)
}

// expected computes, from the live objects, the truth table of every case.
func (t *Topology) expected(ctx context.Context) ([]*reach.Table, error) {
	var policies []networkingv1.NetworkPolicy
	var namespaces []corev1.Namespace
	var pods []corev1.Pod
	for _, ns := range []string{"x", "y", "z"} {
		nps, err := t.cl.Clientset.NetworkingV1().NetworkPolicies(t.NS[ns]).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		policies = append(policies, nps.Items...)
		n, err := t.cl.Clientset.CoreV1().Namespaces().Get(ctx, t.NS[ns], metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		namespaces = append(namespaces, *n)
	}
	for _, p := range t.Pods {
		live, err := t.cl.Clientset.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		pods = append(pods, *live)
	}
	snap := reach.NewSnapshot(policies, pods, namespaces)
	var out []*reach.Table
	for _, c := range cases {
		tbl, err := snap.Expect(c)
		if err != nil {
			return nil, err
		}
		out = append(out, tbl)
	}
	return out, nil
}

// matches observes the whole matrix once and compares it with what the
// evaluator expects from the objects now in the cluster.
func (t *Topology) matches(ctx context.Context, g Gomega) {
	want, err := t.expected(ctx)
	g.Expect(err).NotTo(HaveOccurred(), "computing the expected reachability")
	got, err := matrix.Observe(ctx, t.cl, t.Pods, cases, matrix.Options{TimeoutMs: ProbeTimeoutMs, Container: fixtures.AgentContainer})
	g.Expect(err).NotTo(HaveOccurred(), "observing the matrix")
	var failures []string
	for i, c := range cases {
		if ok, report := reach.Compare(want[i].Renamed(t.short), got[i].Renamed(t.short)); !ok {
			failures = append(failures, fmt.Sprintf("%s:\n%s", c, report))
		}
	}
	g.Expect(len(failures)).To(BeZero(), "observed reachability differs from the policies in %d of %d cases (%s)\n%s",
		len(failures), len(cases), t.legend(), strings.Join(failures, "\n"))
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

func (t *Topology) legend() string {
	return fmt.Sprintf("x=%s y=%s z=%s", t.NS["x"], t.NS["y"], t.NS["z"])
}

// ExpectEnforced waits until the matrix matches the policies, twice in a
// row, then shows it stays so.
func (t *Topology) ExpectEnforced(ctx context.Context) {
	GinkgoHelper()
	check := func(g Gomega) { t.matches(ctx, g) }
	Eventually(ctx, check).WithTimeout(ConvergeTimeout).MustPassRepeatedly(2).Should(Succeed())
	Consistently(ctx, check).WithTimeout(StaysTimeout).WithPolling(time.Second).Should(Succeed())
}
