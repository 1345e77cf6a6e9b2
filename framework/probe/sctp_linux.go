package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"
)

// SCTP is reached through plain one-to-one style sockets
// (socket(AF_INET[6], SOCK_STREAM, IPPROTO_SCTP)), which behave like TCP
// sockets, so the net package can drive them once they exist: the fd is
// handed to net.FileConn / net.FileListener and comes back as a TCPConn /
// TCPListener running on Go's poller. No cgo, no lksctp.

// DialSCTP opens an SCTP association to addr ("host:port"), honouring ctx's
// deadline and cancellation. A host name is resolved first.
func DialSCTP(ctx context.Context, addr string) (net.Conn, error) {
	return dialRaw(ctx, addr, syscall.IPPROTO_SCTP)
}

// ListenSCTP listens on addr (":port" for all addresses, or "ip:port").
// The wildcard listener is dual-stack when the kernel has IPv6.
func ListenSCTP(addr string) (net.Listener, error) {
	return listenRaw(addr, syscall.IPPROTO_SCTP)
}

// dialRaw connects a SOCK_STREAM socket of the given IP protocol. It is
// protocol-agnostic so that tests can exercise it with TCP on kernels
// without SCTP.
func dialRaw(ctx context.Context, addr string, proto int) (net.Conn, error) {
	ap, err := resolveAddrPort(ctx, addr)
	if err != nil {
		return nil, err
	}
	family, sa := sockaddr(ap)
	fd, err := streamSocket(family, proto)
	if err != nil {
		return nil, err
	}
	// os.NewFile sees the non-blocking flag and registers fd with the
	// runtime poller, which gives us deadline-aware waiting for connect.
	f := os.NewFile(uintptr(fd), addr)
	defer f.Close() // net.FileConn dups the fd
	if err := connectFile(ctx, f, sa); err != nil {
		return nil, err
	}
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("wrapping socket: %w", err)
	}
	return c, nil
}

// connectFile runs a non-blocking connect on f's socket and waits for it to
// finish, like the net package does for TCP.
func connectFile(ctx context.Context, f *os.File, sa syscall.Sockaddr) error {
	if dl, ok := ctx.Deadline(); ok {
		if err := f.SetDeadline(dl); err != nil {
			return fmt.Errorf("set deadline: %w", err)
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetDeadline(time.Now()) })
	defer stop()

	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var connErr error
	started := false
	werr := rc.Write(func(s uintptr) bool {
		if !started {
			started = true
			connErr = syscall.Connect(int(s), sa)
			switch connErr {
			case syscall.EINPROGRESS, syscall.EALREADY, syscall.EINTR:
				return false // wait for writability
			}
			return true
		}
		v, err := syscall.GetsockoptInt(int(s), syscall.SOL_SOCKET, syscall.SO_ERROR)
		if err != nil {
			connErr = err
			return true
		}
		switch e := syscall.Errno(v); e {
		case syscall.EINPROGRESS, syscall.EALREADY, syscall.EINTR:
			return false
		case 0:
			// Writable with no error can be a spurious wakeup; only a peer
			// address proves the association is up.
			if _, err := syscall.Getpeername(int(s)); err != nil {
				return false
			}
			connErr = nil
		default:
			connErr = e
		}
		return true
	})
	if werr != nil {
		// A cancelled batch also shows up as a deadline (see AfterFunc).
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("connect: %w", ctx.Err())
		}
		return fmt.Errorf("connect: %w", werr)
	}
	if connErr != nil {
		return os.NewSyscallError("connect", connErr)
	}
	return nil
}

// listenRaw is the listening counterpart of dialRaw.
func listenRaw(addr string, proto int) (net.Listener, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen %q: %w", addr, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("listen %q: bad port: %w", addr, err)
	}
	var fd int
	var sa syscall.Sockaddr
	if host == "" {
		fd, sa, err = wildcardSocket(int(port), proto)
	} else {
		ip, perr := netip.ParseAddr(host)
		if perr != nil {
			return nil, fmt.Errorf("listen %q: host must be an IP literal: %w", addr, perr)
		}
		var family int
		family, sa = sockaddr(netip.AddrPortFrom(ip, uint16(port)))
		fd, err = streamSocket(family, proto)
	}
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "listener:"+addr)
	defer f.Close() // net.FileListener dups the fd
	// Let a restarted agent rebind while old associations linger.
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return nil, os.NewSyscallError("setsockopt SO_REUSEADDR", err)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		return nil, fmt.Errorf("listen %q: %w", addr, os.NewSyscallError("bind", err))
	}
	if err := syscall.Listen(fd, 4096); err != nil { // the kernel caps at somaxconn
		return nil, fmt.Errorf("listen %q: %w", addr, os.NewSyscallError("listen", err))
	}
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("listen %q: wrapping socket: %w", addr, err)
	}
	return ln, nil
}

// wildcardSocket prefers a dual-stack [::] socket and falls back to
// 0.0.0.0 on kernels without IPv6.
func wildcardSocket(port, proto int) (int, syscall.Sockaddr, error) {
	fd, err := streamSocket(syscall.AF_INET6, proto)
	if err == nil {
		if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 0); err == nil {
			return fd, &syscall.SockaddrInet6{Port: port}, nil
		}
		syscall.Close(fd)
	}
	if errors.Is(err, ErrSCTPUnsupported) {
		return -1, nil, err
	}
	fd, err = streamSocket(syscall.AF_INET, proto)
	if err != nil {
		return -1, nil, err
	}
	return fd, &syscall.SockaddrInet4{Port: port}, nil
}

// streamSocket creates a non-blocking, close-on-exec SOCK_STREAM socket;
// for SCTP that is the one-to-one style.
func streamSocket(family, proto int) (int, error) {
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, proto)
	switch {
	case err == nil:
		return fd, nil
	case proto == syscall.IPPROTO_SCTP && (errors.Is(err, syscall.EPROTONOSUPPORT) || errors.Is(err, syscall.ESOCKTNOSUPPORT)):
		return -1, fmt.Errorf("%w: socket: %v", ErrSCTPUnsupported, err)
	}
	return -1, os.NewSyscallError("socket", err)
}

func sockaddr(ap netip.AddrPort) (int, syscall.Sockaddr) {
	ip := ap.Addr().Unmap()
	if ip.Is4() {
		return syscall.AF_INET, &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ip.As4()}
	}
	sa := &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16()}
	if z := ip.Zone(); z != "" {
		if ifi, err := net.InterfaceByName(z); err == nil {
			sa.ZoneId = uint32(ifi.Index)
		}
	}
	return syscall.AF_INET6, sa
}

// resolveAddrPort turns "host:port" into one address, resolving names with
// the same resolver as DNS probes.
func resolveAddrPort(ctx context.Context, addr string) (netip.AddrPort, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: %w", addr, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: bad port: %w", addr, err)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(ip, uint16(port)), nil
	}
	ips, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if len(ips) == 0 {
		return netip.AddrPort{}, fmt.Errorf("no addresses for %s", host)
	}
	return netip.AddrPortFrom(ips[0], uint16(port)), nil
}
