package e2e

import (
	"context"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
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

func (s *NodeShell) String() string { return fmt.Sprintf("node %s", s.pod.Spec.NodeName) }
