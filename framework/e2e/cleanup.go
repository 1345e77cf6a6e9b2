package e2e

import (
	"context"
	"time"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/preflight"
)

// Timeouts of the suite lifecycle, named in one place.
const (
	PreflightTimeout     = 2 * time.Minute
	ClusterCreateTimeout = 10 * time.Minute
	CleanupTimeout       = 3 * time.Minute
)

// Preflight runs the preflight checks for this run.
func Preflight(ctx context.Context, cl *kube.Client) (preflight.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, PreflightTimeout)
	defer cancel()
	return preflight.Run(ctx, cl, preflight.Options{RunID: RunID})
}

// DeleteRunObjects removes every namespace a run created and waits until
// they are gone.
func DeleteRunObjects(ctx context.Context, cl *kube.Client, runID string) error {
	ctx, cancel := context.WithTimeout(ctx, CleanupTimeout)
	defer cancel()
	return cl.DeleteLabelled(ctx, RunIDLabel+"="+runID)
}
