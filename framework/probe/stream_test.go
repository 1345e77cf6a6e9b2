package probe

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestTCPConnected(t *testing.T) {
	t.Parallel()
	addr := serveTCP(t, echoTCP)
	r := runOne(t, Probe{ID: "a", Protocol: TCP, Target: addr})
	wantVerdict(t, r, Connected)
	if r.ID != "a" {
		t.Errorf("ID = %q, want a", r.ID)
	}
	host, _, err := net.SplitHostPort(r.Echo.Peer)
	if err != nil || host != "127.0.0.1" {
		t.Errorf("echo peer = %q, want 127.0.0.1:port", r.Echo.Peer)
	}
	if r.Echo.Local != addr {
		t.Errorf("echo local = %q, want %q", r.Echo.Local, addr)
	}
	if r.LatencyMs <= 0 {
		t.Errorf("latency = %v, want > 0", r.LatencyMs)
	}
}

func TestTCPLowercaseProtocol(t *testing.T) {
	t.Parallel()
	addr := serveTCP(t, echoTCP)
	wantVerdict(t, runOne(t, Probe{Protocol: "tcp", Target: addr}), Connected)
}

func TestTCPRefused(t *testing.T) {
	t.Parallel()
	r := runOne(t, Probe{Protocol: TCP, Target: closedPort(t, "tcp")})
	wantVerdict(t, r, Refused)
	if r.LatencyMs > testTimeoutMs/2 {
		t.Errorf("refusal took %.0fms; it should not wait for the timeout", r.LatencyMs)
	}
}

func TestTCPInconclusive(t *testing.T) {
	t.Parallel()
	cases := map[string]func(net.Conn){
		"close without reply": func(c net.Conn) { c.Close() },
		"not json":            func(c net.Conn) { io.WriteString(c, "SSH-2.0-OpenSSH\r\n"); c.Close() },
		"json but not echo":   func(c net.Conn) { io.WriteString(c, "{}\n"); c.Close() },
		"truncated echo": func(c net.Conn) {
			io.WriteString(c, strings.TrimSuffix(string(testEcho(TCP, c.RemoteAddr(), c.LocalAddr())), "}\n"))
			c.Close()
		},
		// Connected, then silence until the probe's deadline.
		"silent": func(c net.Conn) { time.Sleep(2 * testTimeoutMs * time.Millisecond); c.Close() },
	}
	for name, handle := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantVerdict(t, runOne(t, Probe{Protocol: TCP, Target: serveTCP(t, handle)}), Inconclusive)
		})
	}
}

func TestBadProbes(t *testing.T) {
	t.Parallel()
	for _, p := range []Probe{
		{Protocol: "ICMP", Target: "127.0.0.1:1"},
		{Protocol: TCP},
		{Protocol: TCP, Target: "no-port"},
		{Protocol: DNS, Target: "localhost", DNSType: "MX"},
	} {
		wantVerdict(t, runOne(t, p), Failed)
	}
}
