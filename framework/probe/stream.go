package probe

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// maxEcho bounds how much of a reply is read; an agent's echo is a few
// hundred bytes, anything longer is not an agent.
const maxEcho = 64 << 10

func probeTCP(ctx context.Context, target string) Result {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return fail(fmt.Errorf("tcp connect %s: %w", target, err))
	}
	return readStreamEcho(ctx, conn, "tcp", target)
}

func probeSCTP(ctx context.Context, target string) Result {
	conn, err := DialSCTP(ctx, target)
	if err != nil {
		return fail(fmt.Errorf("sctp connect %s: %w", target, err))
	}
	return readStreamEcho(ctx, conn, "sctp", target)
}

// readStreamEcho reads the one JSON line an agent writes on every accepted
// connection. The connection is established at this point, so every failure
// here is Inconclusive: the handshake proved the path is open, and calling
// a silent or resetting peer TimedOut or Refused would let a test that
// expects denial pass for the wrong reason.
func readStreamEcho(ctx context.Context, conn net.Conn, proto, target string) Result {
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// Unblock the read if the batch is cancelled before the deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	line, err := bufio.NewReader(io.LimitReader(conn, maxEcho)).ReadBytes('\n')
	if len(line) == 0 {
		switch {
		case errors.Is(err, io.EOF):
			return inconclusive("%s %s: connected, but the peer closed without a reply", proto, target)
		case err != nil:
			return inconclusive("%s %s: connected, but no reply: %v", proto, target, err)
		}
	}
	// A missing newline is fine as long as the JSON is complete.
	return decodeEcho(line, proto, target)
}

// decodeEcho turns a reply into a Connected result or explains why not.
func decodeEcho(b []byte, proto, target string) Result {
	var e Echo
	if err := json.Unmarshal(b, &e); err != nil {
		return inconclusive("%s %s: malformed reply (%d bytes): %v", proto, target, len(b), err)
	}
	if !e.Valid() {
		return inconclusive("%s %s: reply is not an agent echo: %.200q", proto, target, b)
	}
	return Result{Verdict: Connected, Echo: &e}
}
