package e2e

import (
	"context"
	"fmt"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
)

// Timeouts of this package, named in one place.
const (
	PodReadyTimeout = 2 * time.Minute
	// ProbeTimeout bounds the retries of a probe expected to converge.
	ProbeTimeout = 30 * time.Second
)

// Namespace creates a namespace for this spec, labelled with the run ID and
// enforcing Pod Security "restricted", and deletes it after the spec.
func Namespace(ctx context.Context, cl *kube.Client, base string) string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: fmt.Sprintf("nc-%s-%s-", RunID, base),
		Labels: map[string]string{
			RunIDLabel:                           RunID,
			"app.kubernetes.io/managed-by":       "netconform",
			"pod-security.kubernetes.io/enforce": "restricted",
		},
	}}
	created, err := cl.Clientset.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred(), "creating a test namespace")
	DeferCleanup(func(ctx SpecContext) {
		err := cl.Clientset.CoreV1().Namespaces().Delete(ctx, created.Name, metav1.DeleteOptions{})
		if !apierrors.IsNotFound(err) {
			Expect(err).NotTo(HaveOccurred(), "deleting namespace %s", created.Name)
		}
	})
	return created.Name
}

// SchedulableNodes returns n nodes that take ordinary pods (no NoSchedule
// taint), skipping the spec when the cluster has fewer.
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
	return names[:n]
}

// Deploy creates a pod and waits until it is Ready, returning it with its IP.
func Deploy(ctx context.Context, cl *kube.Client, pod *corev1.Pod) *corev1.Pod {
	GinkgoHelper()
	pod.Labels[RunIDLabel] = RunID
	_, err := cl.Clientset.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred(), "creating pod %s/%s", pod.Namespace, pod.Name)
	var ready *corev1.Pod
	Eventually(ctx, func(g Gomega) {
		p, err := cl.Clientset.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(kube.PodReady(p)).To(BeTrue(), "pod %s/%s on %s is not ready: %s", p.Namespace, p.Name, p.Spec.NodeName, kube.PodState(p))
		ready = p
	}).WithTimeout(PodReadyTimeout).Should(Succeed())
	return ready
}

// Probe runs one batch from an agent pod (one exec) and returns its results.
func Probe(ctx context.Context, cl *kube.Client, from *corev1.Pod, probes ...probe.Probe) ([]probe.Result, error) {
	res, err := remote.Run(ctx, cl, remote.Pod{Namespace: from.Namespace, Name: from.Name, Container: fixtures.AgentContainer}, probe.Batch{Probes: probes})
	return res.Results, err
}
