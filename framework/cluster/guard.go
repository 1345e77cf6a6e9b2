package cluster

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"sigs.k8s.io/kind/pkg/cluster/nodes"
)

// The guard's chain (re-created on a reused cluster) and the comment on its
// DROP rule, for whoever reads a node's rules.
const (
	guardChain   = "NETCONFORM-EGRESS"
	guardComment = "netconform: test traffic stays inside the kind network"
)

// egressGuard drops every packet that would leave the kind network from a
// node: anything not bound for a pod (the CNI's pod subnet) or the node network
// (eth0's own subnet). It sits in mangle POSTROUTING, after kube-proxy's
// DNAT, so a Service IP that nothing has programmed is caught too.
//
// Without it, on a host with no network route out that still answers
// every outbound TCP handshake, a packet that escapes the cluster — an
// unprogrammed ClusterIP routed to the default gateway, a missing pod
// route — completes a handshake with something that is not an agent, and
// a probe sees "connected, but no reply" instead of a plain timeout.
func egressGuard(podSubnet string) string {
	return fmt.Sprintf(`set -e
subnet=$(ip -4 -o route show dev eth0 scope link | awk '{print $1; exit}')
[ -n "$subnet" ] || { echo "no IPv4 subnet on eth0" >&2; exit 1; }
iptables -t mangle -N %[3]s 2>/dev/null || iptables -t mangle -F %[3]s
iptables -t mangle -A %[3]s -d %[1]s -j RETURN
iptables -t mangle -A %[3]s -d "$subnet" -j RETURN
iptables -t mangle -A %[3]s -m comment --comment '%[2]s' -j DROP
iptables -t mangle -C POSTROUTING -o eth0 -j %[3]s 2>/dev/null || iptables -t mangle -A POSTROUTING -o eth0 -j %[3]s`, podSubnet, guardComment, guardChain)
}

// guardEgress installs egressGuard on every node.
func guardEgress(ctx context.Context, nodeList []nodes.Node, podSubnet string) error {
	return onEveryNode(nodeList, func(n nodes.Node) error {
		var out bytes.Buffer
		cmd := n.CommandContext(ctx, "sh", "-c", egressGuard(podSubnet))
		cmd.SetStdout(&out)
		cmd.SetStderr(&out)
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%w: %s", err, out.String())
		}
		return nil
	})
}

// onEveryNode runs fn on every node at once and returns the first error,
// naming its node.
func onEveryNode(nodeList []nodes.Node, fn func(nodes.Node) error) error {
	var wg sync.WaitGroup
	errs := make([]error, len(nodeList))
	for i, n := range nodeList {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(n); err != nil {
				errs[i] = fmt.Errorf("node %s: %w", n.String(), err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
