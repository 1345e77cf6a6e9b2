package mesh

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/netconform/netconform/framework/probe"
	"github.com/netconform/netconform/framework/probe/remote"
	"github.com/netconform/netconform/framework/timeouts"
)

// Role says which kind of agent a check starts from or aims at.
type Role int

// Roles.
const (
	// PodRole: an ordinary pod on the node's pod network.
	PodRole Role = iota
	// HostRole: a hostNetwork pod, standing for the node itself.
	HostRole
)

func (r Role) String() string {
	if r == HostRole {
		return "node"
	}
	return "pod"
}

// Agent is one agent pod of the mesh.
type Agent struct {
	// Node is the node the agent runs on.
	Node string
	// Pod says how to exec into it.
	Pod remote.Pod
	// IP is its pod IP (the node's IP for a hostNetwork agent).
	IP string
	// Port serves the TCP and UDP echo; HTTPPort the HTTP echo.
	Port, HTTPPort int
}

// Mesh is the agents of every node, by role.
type Mesh struct {
	// Pods holds one ordinary agent per node, Hosts one hostNetwork agent
	// per node (empty when node traffic is not checked).
	Pods, Hosts []Agent
	// Addresses names the owner of known addresses (node IPs, pod IPs),
	// to say whose address a server saw instead of the client's.
	Addresses map[string]string
	// PodCIDRs maps each node's pod CIDRs to the node: an address there
	// that no pod holds is the node's own on the pod network (its bridge,
	// its tunnel device), which a masquerading node uses as source.
	PodCIDRs map[string]string
}

// Nodes lists the nodes of the mesh in the order of its pod agents.
func (m *Mesh) Nodes() []string {
	out := make([]string, len(m.Pods))
	for i, a := range m.Pods {
		out[i] = a.Node
	}
	return out
}

func (m *Mesh) agents(r Role) []Agent {
	if r == HostRole {
		return m.Hosts
	}
	return m.Pods
}

// owner says whose address ip is, for messages.
func (m *Mesh) owner(ip string) string {
	if o, ok := m.Addresses[ip]; ok {
		return o
	}
	if addr, err := netip.ParseAddr(ip); err == nil {
		for cidr, node := range m.PodCIDRs {
			if prefix, err := netip.ParsePrefix(cidr); err == nil && prefix.Contains(addr) {
				return node + "'s address on the pod network"
			}
		}
	}
	return "no node's or test pod's address"
}

// Check is one property every ordered pair of nodes must have.
type Check struct {
	// Name heads the check's table ("pod → pod TCP, no NAT").
	Name     string
	From, To Role
	// Protocol is TCP, UDP or HTTP (HTTP aims at the HTTP echo port).
	Protocol probe.Protocol
	// NoNAT requires the server to see the client's own IP.
	NoNAT bool
	// CrossNode skips each node's pair with itself.
	CrossNode bool
	// Payload, when set, sizes each probe's payload from the source
	// agent's environment (its interface MTU); 0 means "cannot size it",
	// and the cell fails saying so.
	Payload func(probe.Env) int
	// TimeoutMs is the per-probe timeout (default: timeouts.Current.Attempt).
	TimeoutMs int
}

func (c Check) timeoutMs() int {
	if c.TimeoutMs <= 0 {
		return timeouts.Ms(timeouts.Current.Attempt)
	}
	return c.TimeoutMs
}

// target is the address c probes on dst.
func (c Check) target(dst Agent) string {
	if c.Protocol == probe.HTTP {
		return "http://" + joinHostPort(dst.IP, dst.HTTPPort) + "/"
	}
	return joinHostPort(dst.IP, dst.Port)
}

func joinHostPort(ip string, port int) string {
	if strings.Contains(ip, ":") {
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}

// shortNames drops the prefix every node name shares ("kind-worker",
// "kind-worker2" -> "worker", "worker2"), for table headers.
func shortNames(nodes []string) map[string]string {
	out := make(map[string]string, len(nodes))
	prefix := ""
	if len(nodes) > 1 {
		sorted := append([]string(nil), nodes...)
		sort.Strings(sorted)
		first, last := sorted[0], sorted[len(sorted)-1]
		n := 0
		for n < len(first) && n < len(last) && first[n] == last[n] {
			n++
		}
		// Cut at a separator, so "worker" and "worker2" keep their stem.
		prefix = first[:n]
		if i := strings.LastIndexAny(prefix, "-."); i >= 0 {
			prefix = prefix[:i+1]
		} else {
			prefix = ""
		}
	}
	for _, n := range nodes {
		s := strings.TrimPrefix(n, prefix)
		if s == "" {
			s = n
		}
		out[n] = s
	}
	return out
}
