// Package capfilter removes, from OCI runtime specs, the Linux capabilities
// that the current process's capability bounding set does not hold.
//
// On hosts whose bounding set is reduced (a VM or container that dropped,
// say, CAP_SYS_RESOURCE), runc refuses every spec that asks for a capability
// it cannot grant ("unable to apply caps: operation not permitted"), which
// breaks every privileged container and so every kind node. Filtering the
// spec first lets such containers run with what the host can actually give.
package capfilter
