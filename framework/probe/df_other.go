//go:build !linux

package probe

import (
	"errors"
	"net"
)

func forbidFragments(*net.UDPConn) error {
	return errors.New("forbidding fragmentation is only implemented on Linux")
}

// routeMTU reads the routing table by rtnetlink, which only Linux has.
func routeMTU(int) int { return 0 }
