package probe

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// backloggedListener returns a 127.0.0.1 address whose accept queue is full,
// so Linux silently drops further SYNs: a real TCP connect timeout without
// needing a firewall.
func backloggedListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil { // backlog 0: one queued connection
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := (&net.TCPAddr{IP: net.IP(sa.(*syscall.SockaddrInet4).Addr[:]), Port: sa.(*syscall.SockaddrInet4).Port}).String()
	// Fill the queue until a connect hangs.
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("could not fill the accept queue; cannot provoke a connect timeout here")
	return ""
}

func TestTCPTimedOut(t *testing.T) {
	t.Parallel()
	r := runOne(t, Probe{Protocol: TCP, Target: backloggedListener(t)})
	wantVerdict(t, r, TimedOut)
	if r.LatencyMs < testTimeoutMs*0.9 || r.LatencyMs > testTimeoutMs*2 {
		t.Errorf("latency %.0fms, want about the %dms timeout", r.LatencyMs, testTimeoutMs)
	}
}
