package probe

import "errors"

// ErrSCTPUnsupported is returned (wrapped) by DialSCTP and ListenSCTP when
// the kernel or platform has no SCTP; on Linux the sctp module is usually
// just not loaded on the node.
var ErrSCTPUnsupported = errors.New("SCTP not supported here (is the sctp kernel module loaded on the node?)")
