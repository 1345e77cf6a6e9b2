package mesh

import (
	"fmt"

	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/timeouts"
)

// The data-plane contract, as checks over every ordered pair of nodes.

// PodToPod: a pod on every node reaches a pod on every node (itself
// included) over proto, and the server sees the client's own pod IP.
func PodToPod(proto probe.Protocol) Check {
	return Check{Name: fmt.Sprintf("pod → pod %s, no NAT", proto), From: PodRole, To: PodRole, Protocol: proto, NoNAT: true}
}

// NodeToPod: every node (its hostNetwork agent) reaches a pod on every node.
func NodeToPod(proto probe.Protocol) Check {
	return Check{Name: fmt.Sprintf("node → pod %s", proto), From: HostRole, To: PodRole, Protocol: proto}
}

// PodToNode: a pod on every node reaches every node (its hostNetwork agent).
func PodToNode(proto probe.Protocol) Check {
	return Check{Name: fmt.Sprintf("pod → node %s", proto), From: PodRole, To: HostRole, Protocol: proto}
}

// Headers a payload must leave room for: IPv4 and UDP.
const (
	ipv4Header = 20
	udpHeader  = 8
)

// FullDatagram: between pods on different nodes, a UDP datagram that
// fills the source pod's MTU (its interface's, or its routes' when lower),
// fragmentation forbidden, arrives
// whole. An overlay whose MTU is wrong or a path-MTU black hole loses it.
func FullDatagram() Check {
	return Check{Name: "pod → pod UDP, datagram filling the pod MTU", From: PodRole, To: PodRole, Protocol: probe.UDP, CrossNode: true,
		Payload: func(e probe.Env) int {
			if e.PathMTU() == 0 {
				return 0
			}
			return e.PathMTU() - ipv4Header - udpHeader
		}}
}

// Transfer: between pods on different nodes, size bytes over one TCP
// connection (an HTTP POST) arrive whole: full-size segments, many of
// them. A path-MTU black hole stalls it.
func Transfer(size int) Check {
	return Check{Name: fmt.Sprintf("pod → pod TCP transfer of %d KiB", size>>10), From: PodRole, To: PodRole, Protocol: probe.HTTP, CrossNode: true,
		TimeoutMs: timeouts.Ms(timeouts.Current.Transfer),
		Payload: func(e probe.Env) int {
			if e.PathMTU() == 0 {
				return 0 // without an MTU the message could not name it
			}
			return size
		}}
}
