package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// udpSends is how many times a UDP probe sends its datagram within the
// timeout. One lost datagram (a conntrack race on a fresh Service backend,
// say) must not turn into a TimedOut verdict.
const udpSends = 3

// probeUDP sends a datagram on a connected UDP socket and waits for one
// echo datagram. Connecting the socket matters: only then does the kernel
// report an ICMP port unreachable to us, as ECONNREFUSED. Without any reply
// the verdict is TimedOut; UDP cannot tell a denied datagram from a lost one.
func probeUDP(ctx context.Context, p Probe) Result {
	target := p.Target
	var d net.Dialer
	if p.SourcePort > 0 {
		d.LocalAddr = &net.UDPAddr{Port: p.SourcePort}
	}
	conn, err := d.DialContext(ctx, "udp", target)
	if err != nil {
		return fail(fmt.Errorf("udp %s: %w", target, err))
	}
	defer conn.Close()
	payload := []byte("netconform probe " + p.ID + "\n")
	if p.PayloadBytes > 0 {
		// Forbid fragmentation: a datagram the path cannot carry whole must
		// be lost (or refused locally), as a full-size TCP segment would be.
		if err := forbidFragments(conn.(*net.UDPConn)); err != nil {
			return fail(fmt.Errorf("udp %s: setting DF: %w", target, err))
		}
		payload = padded(payload, p.PayloadBytes)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	deadline, ok := ctx.Deadline()
	if !ok { // One always sets a deadline; guard against other callers.
		deadline = time.Now().Add(DefaultTimeoutMs * time.Millisecond)
	}
	interval := time.Until(deadline) / udpSends
	buf := make([]byte, maxEcho)
	for {
		if _, err := conn.Write(payload); err != nil {
			// A pending ICMP error from an earlier send shows up here.
			return fail(fmt.Errorf("udp send %s (%d bytes): %w", target, len(payload), err))
		}
		// Wait until the next resend, or the final deadline.
		wait := time.Now().Add(interval)
		if wait.After(deadline) {
			wait = deadline
		}
		_ = conn.SetReadDeadline(wait)
		n, err := conn.Read(buf)
		switch {
		case err == nil && n == 0:
			return inconclusive("udp %s: empty reply datagram", target)
		case err == nil:
			return withPayload(decodeEcho(buf[:n], "udp", target), p.PayloadBytes, "udp", target)
		case errors.Is(err, os.ErrDeadlineExceeded) && wait.Before(deadline) && ctx.Err() == nil:
			continue // resend
		case errors.Is(ctx.Err(), context.Canceled):
			return fail(fmt.Errorf("udp %s: %w", target, ctx.Err()))
		default:
			return fail(fmt.Errorf("udp %s: no reply: %w", target, err))
		}
	}
}

// padded returns b grown (or cut) to exactly n bytes, padding with dots.
func padded(b []byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = '.'
	}
	copy(out, b)
	return out
}

// withPayload checks that the server got the whole payload: a reply to a
// datagram or body it never fully received proves nothing about size.
func withPayload(r Result, sent int, proto, target string) Result {
	if sent <= 0 || r.Verdict != Connected || r.Echo.Bytes == sent {
		return r
	}
	return Result{Verdict: Inconclusive,
		Error: fmt.Sprintf("%s %s: sent %d payload bytes, the server reports %d", proto, target, sent, r.Echo.Bytes)}
}
