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
func probeUDP(ctx context.Context, id, target string, sourcePort int) Result {
	var d net.Dialer
	if sourcePort > 0 {
		d.LocalAddr = &net.UDPAddr{Port: sourcePort}
	}
	conn, err := d.DialContext(ctx, "udp", target)
	if err != nil {
		return fail(fmt.Errorf("udp %s: %w", target, err))
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	deadline, ok := ctx.Deadline()
	if !ok { // One always sets a deadline; guard against other callers.
		deadline = time.Now().Add(DefaultTimeoutMs * time.Millisecond)
	}
	interval := time.Until(deadline) / udpSends
	payload := []byte("netconform probe " + id + "\n")
	buf := make([]byte, maxEcho)
	for {
		if _, err := conn.Write(payload); err != nil {
			// A pending ICMP error from an earlier send shows up here.
			return fail(fmt.Errorf("udp send %s: %w", target, err))
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
			return decodeEcho(buf[:n], "udp", target)
		case errors.Is(err, os.ErrDeadlineExceeded) && wait.Before(deadline) && ctx.Err() == nil:
			continue // resend
		case errors.Is(ctx.Err(), context.Canceled):
			return fail(fmt.Errorf("udp %s: %w", target, ctx.Err()))
		default:
			return fail(fmt.Errorf("udp %s: no reply: %w", target, err))
		}
	}
}
