package e2e

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2"

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
	return preflight.Run(ctx, cl, preflight.Options{RunID: RunID, Disruptive: disruptiveSelected(GinkgoLabelFilter(), *disruptive)})
}

// DeleteRunObjects removes every namespace a run created and, with wait,
// waits until they are gone. When it cannot (the API server stopped
// answering), the error says how to remove them later.
func DeleteRunObjects(ctx context.Context, cl *kube.Client, runID string, wait bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeouts.Current.Cleanup)
	defer cancel()
	del := cl.DeleteLabelled
	if !wait {
		del = cl.StartDeleteLabelled
	}
	err := del(ctx, RunIDLabel+"="+runID)
	if err == nil {
		return nil
	}
	if cause := context.Cause(ctx); cause != nil && cause != err {
		err = fmt.Errorf("%w (%v)", err, cause)
	}
	return fmt.Errorf("%w; once the API server answers: netconform cleanup --run-id %s", err, runID)
}
