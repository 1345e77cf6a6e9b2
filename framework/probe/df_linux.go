package probe

import (
	"net"
	"syscall"
)

// forbidFragments sets DF on the socket's datagrams (IP_PMTUDISC_DO): the
// kernel refuses a datagram larger than the known path MTU with EMSGSIZE
// instead of fragmenting it, and the network drops one too large for a
// hop further on.
func forbidFragments(c *net.UDPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		if c.RemoteAddr().(*net.UDPAddr).IP.To4() != nil {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_MTU_DISCOVER, syscall.IP_PMTUDISC_DO)
			return
		}
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_MTU_DISCOVER, syscall.IPV6_PMTUDISC_DO)
	})
	if err != nil {
		return err
	}
	return serr
}
