package e2e

import (
	"context"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/preflight"
	"github.com/netconform/netconform/framework/timeouts"
)

// Preflight runs the preflight checks for this run.
func Preflight(ctx context.Context, cl *kube.Client) (preflight.Result, error) {
	if registryEnvErr != nil {
		return preflight.Result{}, registryEnvErr
	}
	ctx, cancel := context.WithTimeout(ctx, timeouts.Current.Preflight)
	defer cancel()
	return preflight.Run(ctx, cl, preflight.Options{RunID: RunID})
}

// DeleteRunObjects removes every namespace a run created and waits until
// they are gone.
func DeleteRunObjects(ctx context.Context, cl *kube.Client, runID string) error {
	ctx, cancel := context.WithTimeout(ctx, timeouts.Current.Cleanup)
	defer cancel()
	return cl.DeleteLabelled(ctx, RunIDLabel+"="+runID)
}
