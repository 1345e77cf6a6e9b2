package e2e

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
	"github.com/netconform/netconform/framework/timeouts"
)

// Pod Security levels a test namespace can enforce.
const (
	Restricted = "restricted"
	Privileged = "privileged" // for specs labelled FeatureHostNetwork only
)

// Namespace creates a namespace for this spec, labelled with the run ID and
// enforcing Pod Security "restricted", and deletes it after the spec.
func Namespace(ctx context.Context, cl *kube.Client, base string) string {
	GinkgoHelper()
	return NamespaceWithLevel(ctx, cl, base, Restricted)
}

// NamespaceWithLevel is Namespace at another Pod Security level.
func NamespaceWithLevel(ctx context.Context, cl *kube.Client, base, level string) string {
	GinkgoHelper()
	return Create(ctx, cl, namespaceObject(base, level)).Name
}

func namespaceObject(base, level string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: fmt.Sprintf("nc-%s-%s-", RunID, base),
		Labels:       map[string]string{"pod-security.kubernetes.io/enforce": level},
	}}
}

// Create creates obj, any typed object, namespaced or cluster-scoped
// (an IngressClass, a ClusterRole…), labelled with the run ID, and deletes
// it when the current spec (or Ordered container) ends. Every object a run
// makes goes through it, so cleanup finds them all by the label. It returns
// obj as the API server filled it in.
func Create[T client.Object](ctx context.Context, cl *kube.Client, obj T) T {
	GinkgoHelper()
	createLabelled(ctx, cl, obj)
	DeferCleanup(func(ctx SpecContext) {
		Expect(cl.Delete(ctx, obj)).To(Succeed())
	})
	return obj
}

// SuiteNamespace is Namespace kept until the suite ends (see ForTheSuite):
// for what one Ginkgo process reuses from spec to spec.
func SuiteNamespace(ctx context.Context, cl *kube.Client, base string) string {
	GinkgoHelper()
	return createLabelled(ctx, cl, namespaceObject(base, Restricted)).Name
}

// DeployKept is DeployAll for pods kept until the suite ends, in a
// SuiteNamespace (removed with it).
func DeployKept(ctx context.Context, cl *kube.Client, pods ...*corev1.Pod) []*corev1.Pod {
	GinkgoHelper()
	for _, p := range pods {
		CreateKept(ctx, cl, p)
	}
	return WaitReady(ctx, cl, pods...)
}

// CreateKept creates a pod kept until the suite ends, without waiting.
func CreateKept(ctx context.Context, cl *kube.Client, pod *corev1.Pod) {
	GinkgoHelper()
	createLabelled(ctx, cl, pod)
}

// WaitReady waits until each pod is Ready and returns them with their IPs.
func WaitReady(ctx context.Context, cl *kube.Client, pods ...*corev1.Pod) []*corev1.Pod {
	GinkgoHelper()
	out := make([]*corev1.Pod, len(pods))
	for i, p := range pods {
		out[i] = waitReady(ctx, cl, p)
	}
	return out
}

// createLabelled is Create without the deletion at the spec's end: for
// objects the suite's cleanup removes (by the run ID).
func createLabelled[T client.Object](ctx context.Context, cl *kube.Client, obj T) T {
	GinkgoHelper()
	Expect(cl.CreateLabelled(ctx, obj, RunID)).To(Succeed())
	return obj
}

// SchedulableNodes returns the nodes that take ordinary pods (no NoSchedule
// taint), sorted by name, skipping the spec when there are fewer than n.
func SchedulableNodes(ctx context.Context, cl *kube.Client, n int) []string {
	GinkgoHelper()
	list, err := cl.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	Expect(err).NotTo(HaveOccurred())
	var names []string
	for _, node := range list.Items {
		if !slices.ContainsFunc(node.Spec.Taints, func(t corev1.Taint) bool { return t.Effect == corev1.TaintEffectNoSchedule }) {
			names = append(names, node.Name)
		}
	}
	slices.Sort(names)
	if len(names) < n {
		Skip(fmt.Sprintf("needs %d schedulable nodes, the cluster has %d", n, len(names)))
	}
	return names
}

// Deploy creates a pod and waits until it is Ready, returning it with its IP.
func Deploy(ctx context.Context, cl *kube.Client, pod *corev1.Pod) *corev1.Pod {
	GinkgoHelper()
	return DeployAll(ctx, cl, pod)[0]
}

func waitReady(ctx context.Context, cl *kube.Client, pod *corev1.Pod) *corev1.Pod {
	GinkgoHelper()
	ready, err := cl.WaitPodReady(ctx, pod.Namespace, pod.Name, timeouts.Current.PodReady)
	Expect(err).NotTo(HaveOccurred())
	return ready
}

// Probe runs one batch from an agent pod (one exec) and returns its results.
func Probe(ctx context.Context, cl *kube.Client, from *corev1.Pod, probes ...probe.Probe) ([]probe.Result, error) {
	return ProbeFrom(ctx, cl, from, agent.Container, probes...)
}

// ProbeFrom is Probe from a named container of the pod.
func ProbeFrom(ctx context.Context, cl *kube.Client, from *corev1.Pod, container string, probes ...probe.Probe) ([]probe.Result, error) {
	res, err := remote.Run(ctx, cl, remote.Pod{Namespace: from.Namespace, Name: from.Name, Container: container}, probe.Batch{Probes: probes})
	return res.Results, err
}

// Addr joins an IP and a port.
func Addr(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }

// PeerIP is the IP part of the peer address an agent saw.
func PeerIP(r probe.Result) string {
	if r.Echo == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(r.Echo.Peer)
	if err != nil {
		return r.Echo.Peer
	}
	return host
}

// ExpectConnectedFrom asserts that a probe connected and that the server
// saw wantSource as the client address (no NAT on the way).
func ExpectConnectedFrom(g Gomega, r probe.Result, wantSource string) {
	g.Expect(r.Verdict).To(Equal(probe.Connected), "probe %s: %s", r.ID, r.Error)
	g.Expect(PeerIP(r)).To(Equal(wantSource), "probe %s: the server saw %s instead of the client address %s: the source was NATed", r.ID, PeerIP(r), wantSource)
}

// CreatePods creates pods (through Create), without waiting for them.
func CreatePods(ctx context.Context, cl *kube.Client, pods ...*corev1.Pod) {
	GinkgoHelper()
	for _, pod := range pods {
		Create(ctx, cl, pod)
	}
}

// DeployAll deploys pods concurrently in effect: all are created first, then
// each is waited for, so N pods cost about one start-up time.
func DeployAll(ctx context.Context, cl *kube.Client, pods ...*corev1.Pod) []*corev1.Pod {
	GinkgoHelper()
	CreatePods(ctx, cl, pods...)
	return WaitReady(ctx, cl, pods...)
}

// NodeIPs maps every node to its IPv4 InternalIP: where the runner's host
// reaches a NodePort.
func NodeIPs(ctx context.Context, cl *kube.Client) map[string]string {
	GinkgoHelper()
	list, err := cl.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	Expect(err).NotTo(HaveOccurred())
	out := map[string]string{}
	for _, n := range list.Items {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP && net.ParseIP(a.Address).To4() != nil {
				out[n.Name] = a.Address
			}
		}
	}
	return out
}
