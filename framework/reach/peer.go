package reach

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Peer names one endpoint in a table: a pod, or a non-pod endpoint when
// Namespace is empty.
type Peer struct {
	Namespace string
	Pod       string
}

// String returns "namespace/pod", or just the name for a non-pod endpoint.
func (p Peer) String() string {
	if p.Namespace == "" {
		return p.Pod
	}
	return p.Namespace + "/" + p.Pod
}

// Case is the traffic a table is about: connections to the destination's
// Port over Protocol.
type Case struct {
	// Name is free text for reports; it does not affect evaluation.
	Name     string
	Port     int32
	Protocol corev1.Protocol // empty means TCP, as in NetworkPolicyPort
	// IPFamily, when set, restricts ipBlock matching to the addresses of
	// that family: a probe travels over one family, and in a dual-stack
	// cluster an IPv6 address must not satisfy an IPv4 block.
	IPFamily corev1.IPFamily
}

// protocol returns the effective protocol.
func (c Case) protocol() corev1.Protocol {
	if c.Protocol == "" {
		return corev1.ProtocolTCP
	}
	return c.Protocol
}

// String returns the name if there is one, else "PROTO/port".
func (c Case) String() string {
	if c.Name != "" {
		return c.Name
	}
	s := fmt.Sprintf("%s/%d", c.protocol(), c.Port)
	if c.IPFamily != "" {
		s += " " + string(c.IPFamily)
	}
	return s
}
