package main

import (
	"context"
	"fmt"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// cleanup removes what runs left behind: every namespace and cluster-scoped
// object carrying a run ID (all runs', or one run's).
func cleanup(ctx context.Context, args []string) error {
	fs := newFlags("cleanup")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster (default $KUBECONFIG)")
	runID := fs.String("run-id", "", "remove only this run's objects")
	dryRun := fs.Bool("dry-run", false, "only count what would be removed")
	wait := fs.Duration("wait", 0, "with --dry-run: first wait up to this long for namespaces still terminating")
	bound := fs.Duration("timeout", timeouts.Current.Cleanup, "give up after this long, naming what is still there (a namespace stuck terminating)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *bound+*wait)
	defer cancel()
	cl, err := kube.Open(ctx, *kubeconfig)
	if err != nil {
		return err
	}
	selector := kube.RunIDLabel
	if *runID != "" {
		selector += "=" + *runID
	}
	if *dryRun {
		if *wait > 0 {
			if err := cl.WaitTerminating(ctx, selector, *wait); err != nil {
				return err
			}
		}
		left, err := cl.CountLabelled(ctx, selector)
		if err != nil {
			return err
		}
		for _, n := range left.Names {
			fmt.Println("left:", n)
		}
		// The total comes first: scripts read it.
		fmt.Printf("%d objects left by test runs (%d namespaces, %d cluster-scoped)\n", left.Total(), left.Namespaces, left.ClusterScoped)
		return nil
	}
	logf("deleting namespaces and cluster-scoped objects matching %s on %s", selector, cl.Config.Host)
	return cl.DeleteLabelled(ctx, selector)
}
