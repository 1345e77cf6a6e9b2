package services

import (
	"context"
	"fmt"
	"net"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netconform/netconform/fixtures"
	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// Hairpin: a pod behind a Service reaching itself through it. The packet
// leaves the pod, is translated to the pod's own IP and must come back in
// through the port it left by, which a bridge only does in hairpin mode.
// kube-proxy masquerades such traffic (source == endpoint), so the pod
// sees either its own IP or an address of its node: the node IP, the
// node's address on the pod network (the bridge), an address in the
// node's podCIDR that no pod holds, or a link-local address, which only
// the pod's own link can carry to it (Cilium translates hairpin traffic to
// its ipv4-service-loopback-address, 169.254.42.1 by default).
var _ = Describe("A Service", Label("services", e2e.Conformance), Ordered, func() {
	var (
		cl  *kube.Client
		pod *corev1.Pod
		svc *corev1.Service
	)
	BeforeAll(func(ctx SpecContext) {
		cl = e2e.Cluster
		ns := e2e.Namespace(ctx, cl, "hairpin")
		svc = e2e.Create(ctx, cl, fixtures.AgentService("self", ns, "self",
			fixtures.OfType(corev1.ServiceTypeNodePort), fixtures.WithUDPAndHTTP()))
		pod = e2e.Deploy(ctx, cl, agent.Pod("self", ns, fixtures.InGroup("self")))
	})

	It("lets a pod reach itself through its own Service's ClusterIP (hairpin), over TCP and UDP", e2e.ID("svc-hairpin-clusterip"), func(ctx SpecContext) {
		Eventually(ctx, serviceClient{cl, pod, svc}.hairpin(ctx, svc.Spec.ClusterIP, false)).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
	})

	It("lets a pod reach itself through its own Service's NodePort on its node (hairpin), over TCP and UDP", e2e.ID("svc-hairpin-nodeport"), Label(e2e.FeatureNodePort), func(ctx SpecContext) {
		Eventually(ctx, serviceClient{cl, pod, svc}.hairpin(ctx, pod.Status.HostIP, true)).WithTimeout(timeouts.Current.Probe).MustPassRepeatedly(2).Should(Succeed())
	})
})

// hairpin is the check that the client pod, through its own Service at ip
// (its ClusterIP, or a node IP with nodePort), is answered by itself, from
// an acceptable source.
func (c serviceClient) hairpin(ctx context.Context, ip string, nodePort bool) func(Gomega) {
	cl, pod, svc := c.cl, c.pod, c.svc
	return func(g Gomega) {
		var probes []probe.Probe
		for _, p := range svc.Spec.Ports {
			proto := map[corev1.Protocol]probe.Protocol{corev1.ProtocolTCP: probe.TCP, corev1.ProtocolUDP: probe.UDP}[p.Protocol]
			if p.Name != agent.EchoTCPPortName && p.Name != agent.EchoUDPPortName {
				continue
			}
			port := int(p.Port)
			if nodePort {
				port = int(p.NodePort)
			}
			probes = append(probes, probe.Probe{ID: string(proto), Protocol: proto, Target: e2e.Addr(ip, port), TimeoutMs: timeouts.Ms(timeouts.Current.DNSAttempt)})
		}
		res, err := e2e.Probe(ctx, cl, pod, probes...)
		g.Expect(err).NotTo(HaveOccurred())
		for i, r := range res {
			what := fmt.Sprintf("pod %s on %s → its own Service %s at %s (%s)", pod.Name, pod.Spec.NodeName, svc.Name, probes[i].Target, r.ID)
			if r.Verdict != probe.Connected {
				g.Expect(r.Verdict).To(Equal(probe.Connected), "%s: %s %s: the translated packet did not come back to the pod it left (hairpin): a bridge CNI needs hairpin mode on the pod's port (%s)",
					what, r.Verdict, r.Error, e2e.DescribeServiceProxy(ctx, cl))
			}
			g.Expect(r.Echo.Pod).To(Equal(pod.Name), "%s: answered by another pod", what)
			seen := e2e.PeerIP(r)
			if seen != pod.Status.PodIP {
				side, err := nodeSide(ctx, cl.Clientset, pod, seen)
				g.Expect(err).NotTo(HaveOccurred(), "%s: the pod saw source %s", what, seen)
				g.Expect(side).To(BeTrue(), "%s: the pod saw source %s, neither its own IP %s nor an address of its node %s (node IP, its bridge in the podCIDR, link-local)", what, seen, pod.Status.PodIP, pod.Spec.NodeName)
			}
		}
	}
}

// nodeSide reports whether ip is pod's node's: a node address, an address
// in the node's podCIDR no pod on the node holds (the bridge), or a
// link-local address (not routed: it came over the pod's own link). An
// error is the API's, never taken for "not the node's".
func nodeSide(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod, ip string) (bool, error) {
	if parsed := net.ParseIP(ip); parsed != nil && parsed.IsLinkLocalUnicast() {
		return true, nil
	}
	node, err := cs.CoreV1().Nodes().Get(ctx, pod.Spec.NodeName, metav1.GetOptions{})
	if err != nil {
		return false, fmt.Errorf("reading node %s, to tell whether %s is its address: %w", pod.Spec.NodeName, ip, err)
	}
	for _, a := range node.Status.Addresses {
		if a.Address == ip {
			return true, nil
		}
	}
	inCIDR := false
	for _, c := range node.Spec.PodCIDRs {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			return false, fmt.Errorf("node %s's podCIDR: %w", node.Name, err)
		}
		inCIDR = inCIDR || n.Contains(net.ParseIP(ip))
	}
	if !inCIDR {
		return false, nil
	}
	pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node.Name})
	if err != nil {
		return false, fmt.Errorf("listing the pods of node %s, to tell whether %s is its bridge or a pod's: %w", node.Name, ip, err)
	}
	for _, p := range pods.Items {
		for _, pip := range p.Status.PodIPs {
			if pip.IP == ip && !p.Spec.HostNetwork {
				return false, nil
			}
		}
	}
	return true, nil
}
