package main

import (
	"context"

	"github.com/netconform/netconform/framework/kube"
)

// cleanup removes what runs left behind: every namespace carrying a run ID
// (all runs', or one run's).
func cleanup(ctx context.Context, args []string) error {
	fs := newFlags("cleanup")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster (default $KUBECONFIG)")
	runID := fs.String("run-id", "", "remove only this run's objects")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cl, err := kube.Open(ctx, *kubeconfig)
	if err != nil {
		return err
	}
	selector := kube.RunIDLabel
	if *runID != "" {
		selector += "=" + *runID
	}
	logf("deleting namespaces matching %s on %s", selector, cl.Config.Host)
	return cl.DeleteLabelled(ctx, selector)
}
