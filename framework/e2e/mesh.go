package e2e

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/mesh"
	"github.com/netconform/netconform/framework/probe/remote"
	"github.com/netconform/netconform/framework/timeouts"
)

// DeployMesh starts one agent pod on every node of the cluster, control
// plane included (the agent tolerates every taint and is placed by
// nodeName, so a tainted node is checked too: its system pods use the
// same data plane), and, withHosts, one hostNetwork agent on every node
// in a privileged namespace (specs doing so carry FeatureHostNetwork).
// All pods start at once.
func DeployMesh(ctx context.Context, cl *kube.Client, withHosts bool) *mesh.Mesh {
	GinkgoHelper()
	nodes, err := cl.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	Expect(err).NotTo(HaveOccurred(), "listing nodes")
	Expect(nodes.Items).NotTo(BeEmpty(), "the cluster has no nodes")
	ns := Namespace(ctx, cl, "mesh")
	var pods []*corev1.Pod
	for _, n := range nodes.Items {
		pods = append(pods, agent.Pod("agent-"+n.Name, ns, agent.OnNode(n.Name)))
	}
	if withHosts {
		hostNS := NamespaceWithLevel(ctx, cl, "mesh-host", Privileged)
		for _, n := range nodes.Items {
			pods = append(pods, agent.Pod("host-"+n.Name, hostNS, agent.OnNode(n.Name), agent.WithHostNetwork()))
		}
	}
	deployed := DeployAll(ctx, cl, pods...)
	m := &mesh.Mesh{Addresses: map[string]string{}, PodCIDRs: map[string]string{}}
	for _, n := range nodes.Items {
		for _, cidr := range n.Spec.PodCIDRs {
			m.PodCIDRs[cidr] = n.Name
		}
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP || a.Type == corev1.NodeExternalIP {
				m.Addresses[a.Address] = n.Name + "'s node IP"
			}
		}
	}
	for i, p := range deployed {
		a := mesh.Agent{Node: p.Spec.NodeName, IP: p.Status.PodIP,
			Pod:  remote.Pod{Namespace: p.Namespace, Name: p.Name, Container: agent.Container},
			Port: agent.Port, HTTPPort: agent.HTTPPort}
		if i < len(nodes.Items) {
			m.Pods = append(m.Pods, a)
			m.Addresses[p.Status.PodIP] = "pod " + p.Name + "'s IP"
			continue
		}
		a.Port, a.HTTPPort = agent.HostNetworkPort, agent.HostNetworkHTTPPort
		m.Hosts = append(m.Hosts, a)
	}
	return m
}

// ObserveMesh runs the checks over the mesh once, failing the spec only
// if the agents cannot be driven at all.
func ObserveMesh(ctx context.Context, cl *kube.Client, m *mesh.Mesh, checks ...mesh.Check) *mesh.Observation {
	GinkgoHelper()
	obs, err := mesh.Observe(ctx, mesh.Exec(cl), m, checks, mesh.Options{})
	Expect(err).NotTo(HaveOccurred(), "observing the mesh")
	return obs
}

// ExpectMesh passes once every check holds on every pair of nodes (it
// gives a fresh cluster timeouts.Current.Probe to converge); its failure is the
// failed checks' node × node tables with one line per failed pair.
func ExpectMesh(ctx context.Context, cl *kube.Client, m *mesh.Mesh, checks ...mesh.Check) {
	GinkgoHelper()
	var last *mesh.Observation
	Eventually(ctx, func(g Gomega) {
		obs, err := mesh.Observe(ctx, mesh.Exec(cl), m, checks, mesh.Options{})
		g.Expect(err).NotTo(HaveOccurred(), "observing the mesh")
		last = obs
		g.Expect(obs.FailedPairs()).To(BeZero(), "%s", obs.Report())
	}).WithTimeout(timeouts.Current.Probe).Should(Succeed())
	logf("mesh: %d checks over %d nodes: %d probes in %d execs, %s", len(checks), len(m.Pods), last.Probes, last.Execs, last.Elapsed.Round(1e6))
}

// MeshFailure is the failure ExpectMesh's check gives right now ("" when
// it passes), for Disruptive specs to assert on.
func MeshFailure(ctx context.Context, cl *kube.Client, m *mesh.Mesh, checks ...mesh.Check) string {
	return Failure(func(g Gomega) {
		obs, err := mesh.Observe(ctx, mesh.Exec(cl), m, checks, mesh.Options{})
		g.Expect(err).NotTo(HaveOccurred(), "observing the mesh")
		g.Expect(obs.FailedPairs()).To(BeZero(), "%s", obs.Report())
	})
}

// MeshAgent is the pod agent of the mesh on node.
func MeshAgent(m *mesh.Mesh, node string) mesh.Agent {
	GinkgoHelper()
	for _, a := range m.Pods {
		if a.Node == node {
			return a
		}
	}
	Fail(fmt.Sprintf("no mesh agent on node %s", node))
	return mesh.Agent{}
}
