package loadbalancer

import (
	"fmt"
	"net/netip"
	"strings"
)

// Pool is a range of IPv4 addresses, both ends included.
type Pool struct{ First, Last netip.Addr }

func (p Pool) String() string { return p.First.String() + "-" + p.Last.String() }

// Contains reports whether ip is in the pool.
func (p Pool) Contains(ip netip.Addr) bool {
	return ip.Is4() && p.First.Compare(ip) <= 0 && ip.Compare(p.Last) <= 0
}

// ParsePool reads "first-last".
func ParsePool(s string) (Pool, error) {
	first, last, ok := strings.Cut(s, "-")
	a, errA := netip.ParseAddr(strings.TrimSpace(first))
	b, errB := netip.ParseAddr(strings.TrimSpace(last))
	if !ok || errA != nil || errB != nil || !a.Is4() || !b.Is4() || b.Less(a) {
		return Pool{}, fmt.Errorf("address range %q is not first-last in IPv4", s)
	}
	return Pool{First: a, Last: b}, nil
}
