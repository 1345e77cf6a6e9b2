package matrix

import (
	"math/rand/v2"
	"sync"
)

// UDP source ports of matrix probes: each source pod walks through its own
// sequence in [firstSourcePort, firstSourcePort+sourcePorts), below the
// kernel's ephemeral range. A pair is probed from the same port again only
// after sourcePorts probes from that pod, far more than two minutes of
// matrices, so no conntrack entry of an earlier allowed datagram can admit
// a datagram a policy now denies.
const (
	firstSourcePort = 20000
	sourcePorts     = 12000
)

type portSequence struct {
	mu   sync.Mutex
	next map[string]int // source pod (namespace/name) -> next offset
}

var udpSourcePorts = portSequence{next: map[string]int{}}

// take returns the next source port of pod.
func (s *portSequence) take(pod string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.next[pod]
	if !ok {
		n = rand.IntN(sourcePorts)
	}
	s.next[pod] = (n + 1) % sourcePorts
	return firstSourcePort + n
}
