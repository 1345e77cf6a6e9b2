package probe

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
)

// Classify maps an error from dialing or resolving to a verdict. It only
// looks at how the attempt failed; callers decide separately what a
// successful connection with a bad reply means (Inconclusive).
func Classify(err error) Verdict {
	if err == nil {
		return Connected
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return NotFound
	}
	// Go's resolver keeps the cause of a failed exchange only as text:
	// an ICMP port unreachable for the query reads "connection refused".
	if dnsErr != nil && strings.HasSuffix(dnsErr.Err, syscall.ECONNREFUSED.Error()) {
		return Refused
	}
	switch {
	// An RST to a SYN, an SCTP ABORT to an INIT, and ICMP port unreachable
	// on a connected UDP socket all surface as ECONNREFUSED.
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused
	// ICMP host/net unreachable, including admin-prohibited, which is how
	// many network policy implementations "reject".
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return Refused
	// A local netfilter/BPF reject of the outgoing packet.
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		return Refused
	case errors.Is(err, syscall.ETIMEDOUT),
		errors.Is(err, os.ErrDeadlineExceeded),
		errors.Is(err, context.DeadlineExceeded):
		return TimedOut
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return TimedOut
	}
	return Failed
}
