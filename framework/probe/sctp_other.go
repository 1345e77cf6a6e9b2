//go:build !linux

package probe

import (
	"context"
	"fmt"
	"net"
)

// DialSCTP is only implemented on Linux.
func DialSCTP(ctx context.Context, addr string) (net.Conn, error) {
	return nil, fmt.Errorf("sctp dial %s: %w", addr, ErrSCTPUnsupported)
}

// ListenSCTP is only implemented on Linux.
func ListenSCTP(addr string) (net.Listener, error) {
	return nil, fmt.Errorf("sctp listen %s: %w", addr, ErrSCTPUnsupported)
}
