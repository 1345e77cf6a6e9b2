package reach

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// portsMatch reports whether a rule's port list admits c towards dst. An
// empty list admits everything.
func portsMatch(ports []networkingv1.NetworkPolicyPort, dst *endpoint, c Case) bool {
	if len(ports) == 0 {
		return true
	}
	for i := range ports {
		if portMatches(&ports[i], dst, c) {
			return true
		}
	}
	return false
}

func portMatches(p *networkingv1.NetworkPolicyPort, dst *endpoint, c Case) bool {
	if protocolOrTCP(p.Protocol) != c.protocol() {
		return false
	}
	if p.Port == nil {
		// Protocol only: every port of that protocol.
		return true
	}
	if p.Port.Type == intstr.String {
		// The API forbids endPort with a named port, so it is ignored.
		return namedPortIs(dst, p.Port.StrVal, c)
	}
	first, last := p.Port.IntVal, p.Port.IntVal
	if p.EndPort != nil {
		last = *p.EndPort
	}
	return first <= c.Port && c.Port <= last
}

// namedPortIs reports whether the destination pod declares a container port
// called name, with c's protocol and number. Each destination resolves the
// name on its own, so one rule can mean different numbers for different
// pods. Only regular containers are consulted.
func namedPortIs(dst *endpoint, name string, c Case) bool {
	if !dst.isPod() {
		return false
	}
	for _, container := range dst.pod.Spec.Containers {
		for _, cp := range container.Ports {
			if cp.Name == name && protocolOrTCP(&cp.Protocol) == c.protocol() && cp.ContainerPort == c.Port {
				return true
			}
		}
	}
	return false
}

// protocolOrTCP applies the API default for both NetworkPolicyPort and
// ContainerPort.
func protocolOrTCP(p *corev1.Protocol) corev1.Protocol {
	if p == nil || *p == "" {
		return corev1.ProtocolTCP
	}
	return *p
}
