package cluster

import "time"

// Every wait of this package, named in one place.
const (
	// NodesReadyTimeout bounds the wait for every node to report Ready after
	// the CNI is applied.
	NodesReadyTimeout = 3 * time.Minute
	// SystemPodsTimeout bounds the wait for CoreDNS and the CNI agents.
	SystemPodsTimeout = 3 * time.Minute
	// CheckPodsTimeout bounds the wait for the bring-up check pods to run.
	CheckPodsTimeout = 2 * time.Minute
	// CrossNodeTimeout bounds the retries of the cross-node probe matrix.
	CrossNodeTimeout = 1 * time.Minute
	// PollInterval is how often the waits above look again.
	PollInterval = 1 * time.Second
)
