package probe

import (
	"net"
	"strconv"
	"sync/atomic"
	"testing"
)

// serveUDP answers datagrams on 127.0.0.1; reply decides what to send back
// for the n-th datagram (nil: nothing).
func serveUDP(t *testing.T, reply func(n int, peer, local net.Addr) []byte) (addr string, received *atomic.Int32) {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	received = new(atomic.Int32)
	go func() {
		buf := make([]byte, 2048)
		for {
			_, peer, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			n := int(received.Add(1))
			if b := reply(n, peer, c.LocalAddr()); b != nil {
				c.WriteTo(b, peer)
			}
		}
	}()
	return c.LocalAddr().String(), received
}

func TestUDPConnected(t *testing.T) {
	t.Parallel()
	addr, _ := serveUDP(t, func(_ int, peer, local net.Addr) []byte { return testEcho(UDP, peer, local) })
	r := runOne(t, Probe{Protocol: UDP, Target: addr})
	wantVerdict(t, r, Connected)
	if host, _, _ := net.SplitHostPort(r.Echo.Peer); host != "127.0.0.1" {
		t.Errorf("echo peer = %q, want 127.0.0.1:port", r.Echo.Peer)
	}
}

func TestUDPSourcePort(t *testing.T) {
	t.Parallel()
	addr, _ := serveUDP(t, func(_ int, peer, local net.Addr) []byte { return testEcho(UDP, peer, local) })
	free, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := free.LocalAddr().(*net.UDPAddr).Port
	free.Close()
	r := runOne(t, Probe{Protocol: UDP, Target: addr, SourcePort: port})
	wantVerdict(t, r, Connected)
	if _, got, _ := net.SplitHostPort(r.Echo.Peer); got != strconv.Itoa(port) {
		t.Errorf("server saw source port %s, want %d", got, port)
	}
}

func TestUDPRefused(t *testing.T) {
	t.Parallel()
	r := runOne(t, Probe{Protocol: UDP, Target: closedPort(t, "udp")})
	wantVerdict(t, r, Refused)
}

func TestUDPTimedOut(t *testing.T) {
	t.Parallel()
	addr, received := serveUDP(t, func(int, net.Addr, net.Addr) []byte { return nil })
	r := runOne(t, Probe{Protocol: UDP, Target: addr})
	wantVerdict(t, r, TimedOut)
	if r.LatencyMs < testTimeoutMs*0.9 {
		t.Errorf("gave up after %.0fms, before the %dms timeout", r.LatencyMs, testTimeoutMs)
	}
	if n := received.Load(); n != udpSends {
		t.Errorf("server got %d datagrams, want %d (resends)", n, udpSends)
	}
}

// One lost datagram must not fail the probe: the resend gets through.
func TestUDPResend(t *testing.T) {
	t.Parallel()
	addr, _ := serveUDP(t, func(n int, peer, local net.Addr) []byte {
		if n == 1 {
			return nil
		}
		return testEcho(UDP, peer, local)
	})
	wantVerdict(t, runOne(t, Probe{Protocol: UDP, Target: addr}), Connected)
}

func TestUDPInconclusive(t *testing.T) {
	t.Parallel()
	addr, _ := serveUDP(t, func(int, net.Addr, net.Addr) []byte { return []byte("pong") })
	wantVerdict(t, runOne(t, Probe{Protocol: UDP, Target: addr}), Inconclusive)
}
