package probe

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listenSCTP skips the test when the kernel has no SCTP (common in CI and
// containers).
func listenSCTP(t *testing.T) net.Listener {
	t.Helper()
	ln, err := ListenSCTP("127.0.0.1:0")
	if errors.Is(err, ErrSCTPUnsupported) {
		t.Skipf("no SCTP: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func TestSCTPConnected(t *testing.T) {
	t.Parallel()
	ln := listenSCTP(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go echoTCP(c)
		}
	}()
	r := runOne(t, Probe{Protocol: SCTP, Target: ln.Addr().String()})
	wantVerdict(t, r, Connected)
	if host, _, _ := net.SplitHostPort(r.Echo.Peer); host != "127.0.0.1" {
		t.Errorf("echo peer = %q", r.Echo.Peer)
	}
}

func TestSCTPRefused(t *testing.T) {
	t.Parallel()
	ln := listenSCTP(t)
	addr := ln.Addr().String()
	ln.Close()
	wantVerdict(t, runOne(t, Probe{Protocol: SCTP, Target: addr}), Refused)
}

// Without kernel support the probe must fail clearly, not look like a
// network verdict.
func TestSCTPUnsupported(t *testing.T) {
	t.Parallel()
	if ln, err := ListenSCTP("127.0.0.1:0"); err == nil {
		ln.Close()
		t.Skip("kernel has SCTP")
	}
	r := runOne(t, Probe{Protocol: SCTP, Target: "127.0.0.1:9"})
	wantVerdict(t, r, Failed)
	if !strings.Contains(r.Error, ErrSCTPUnsupported.Error()) {
		t.Errorf("error %q does not say SCTP is unsupported", r.Error)
	}
}

// The raw-socket machinery behind SCTP is protocol-agnostic; driving it with
// TCP covers non-blocking connect, deadlines, and the hand-over to the net
// package on kernels without SCTP.
func TestRawStreamSockets(t *testing.T) {
	t.Parallel()
	ln, err := listenRaw(":0", syscall.IPPROTO_TCP) // dual-stack wildcard
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go echoTCP(c)
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	targets := []string{"127.0.0.1:" + port, "localhost:" + port}
	if c, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		c.Close()
		targets = append(targets, "[::1]:"+port)
	}
	for _, target := range targets {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := dialRaw(ctx, target, syscall.IPPROTO_TCP)
		if err != nil {
			cancel()
			t.Errorf("dialRaw %s: %v", target, err)
			continue
		}
		r := readStreamEcho(ctx, c, "raw", target)
		cancel()
		if r.Verdict != Connected {
			t.Errorf("raw %s: %s (%s), want Connected", target, r.Verdict, r.Error)
		}
	}

	cases := []struct {
		name, target string
		ctx          func() (context.Context, context.CancelFunc)
		want         Verdict
	}{
		{"refused", closedPort(t, "tcp"), timeoutCtx, Refused},
		{"timeout", backloggedListener(t), timeoutCtx, TimedOut},
		{"cancelled", backloggedListener(t), cancelledSoon, Failed},
	}
	for _, tc := range cases {
		ctx, cancel := tc.ctx()
		start := time.Now()
		c, err := dialRaw(ctx, tc.target, syscall.IPPROTO_TCP)
		cancel()
		if c != nil {
			c.Close()
		}
		if got := Classify(err); got != tc.want || time.Since(start) > 2*testTimeoutMs*time.Millisecond {
			t.Errorf("%s: dialRaw error %v (%s after %v), want %s", tc.name, err, got, time.Since(start), tc.want)
		}
	}
}

func timeoutCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), testTimeoutMs*time.Millisecond)
}

func cancelledSoon() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	return ctx, cancel
}
