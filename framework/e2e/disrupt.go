package e2e

import (
	"context"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/report"
)

// checkFailure carries a Gomega failure out of a check run by Failure.
type checkFailure string

// Failure runs a check once and returns the message of its first failed
// assertion, or "" when it passed. Disruptive specs use it to show that a
// conformance check fails, and fails for the right reason, on a cluster
// broken on purpose.
func Failure(check func(g Gomega)) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(checkFailure)
			if !ok {
				panic(r)
			}
			msg = string(f)
		}
	}()
	check(NewGomega(func(message string, _ ...int) { panic(checkFailure(message)) }))
	return ""
}

// NodeShell is a privileged pod in one node's network namespace.
type NodeShell struct {
	cl  *kube.Client
	pod *corev1.Pod
}

// OnNode starts a NodeShell on node, in a privileged namespace of its own.
func OnNode(ctx context.Context, cl *kube.Client, node string) *NodeShell {
	GinkgoHelper()
	ns := NamespaceWithLevel(ctx, cl, "node-tools", Privileged)
	return &NodeShell{cl: cl, pod: Deploy(ctx, cl, agent.NodeToolsPod("tools", ns, node))}
}

// Run runs a command on the node, failing the spec if it fails.
func (s *NodeShell) Run(ctx context.Context, command ...string) string {
	GinkgoHelper()
	out, err := s.cl.Exec(ctx, kube.ContainerRef{Namespace: s.pod.Namespace, Pod: s.pod.Name, Container: "tools"}, command, nil)
	Expect(err).NotTo(HaveOccurred(), "on node %s: %s", s.pod.Spec.NodeName, strings.Join(command, " "))
	return string(out)
}

// inPodScript enters the network namespace of the pod whose UID is $1
// through any of its processes (found by the UID in their cgroup paths,
// with dashes or, under the systemd driver, underscores) and runs the
// rest of the arguments there with the node's tools.
const inPodScript = `uid=$1; alt=$(echo "$uid" | tr - _); shift
for f in /proc/[0-9]*/cgroup; do
  if grep -q -e "$uid" -e "$alt" "$f" 2>/dev/null; then
    pid=${f#/proc/}; exec nsenter -t "${pid%/cgroup}" -n -- "$@"
  fi
done
echo "no process of pod $uid on this node" >&2; exit 1`

// InPod runs a command in the network namespace of the pod namespace/name,
// which must run on the shell's node, failing the spec if it fails. A rule there acts on
// that pod's own traffic whatever data path carries it between nodes:
// an eBPF data path (Cilium's) forwards pod traffic past the node's
// netfilter and routing table, not past the pod's.
func (s *NodeShell) InPod(ctx context.Context, namespace, name string, command ...string) string {
	GinkgoHelper()
	pod, err := s.cl.Clientset.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
	Expect(err).NotTo(HaveOccurred(), "the pod to enter")
	Expect(pod.Spec.NodeName).To(Equal(s.pod.Spec.NodeName), "pod %s/%s runs on %s, not on the shell's node", pod.Namespace, pod.Name, pod.Spec.NodeName)
	what := fmt.Sprintf("in pod %s/%s: %s", pod.Namespace, pod.Name, strings.Join(command, " "))
	out, err := s.cl.Exec(ctx, kube.ContainerRef{Namespace: s.pod.Namespace, Pod: s.pod.Name, Container: "tools"},
		append([]string{"sh", "-c", inPodScript, "sh", string(pod.UID)}, command...), nil)
	Expect(err).NotTo(HaveOccurred(), "on node %s, %s", s.pod.Spec.NodeName, what)
	return string(out)
}

func (s *NodeShell) String() string { return fmt.Sprintf("node %s", s.pod.Spec.NodeName) }

// ExpectHeadline asserts that a failure's headline — its first line in
// every summary, the terminal's, the HTML page's and report failures' —
// names the cause: a Disruptive proof broke the cluster on purpose and
// knows what that cause is.
func ExpectHeadline(failure string, cause types.GomegaMatcher) {
	GinkgoHelper()
	Expect(report.Headline(failure)).To(cause, "the headline of the failure does not name its cause; the whole failure:\n%s", failure)
}
