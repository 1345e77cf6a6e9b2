package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

type cleanupOptions struct {
	kubeconfig string
	runID      string
	dryRun     bool
	wait       time.Duration
	timeout    time.Duration
}

func cleanupCommand() *cobra.Command {
	var o cleanupOptions
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Remove what test runs left behind on a cluster",
		Long: `Removes every namespace and cluster-scoped object carrying a run ID: all
runs', or one run's with --run-id. What a run creates is labelled with its
ID, so a run that crashed leaves nothing this cannot find.`,
		Example: `  netconform cleanup --kubeconfig ./cluster.kubeconfig
  # what one run left, as verify names it in its first line
  netconform cleanup --dry-run --run-id ID`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cleanup(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster (default $KUBECONFIG)")
	f.StringVar(&o.runID, "run-id", "", "remove only this run's objects")
	f.BoolVar(&o.dryRun, "dry-run", false, "only count what would be removed")
	f.DurationVar(&o.wait, "wait", 0, "with --dry-run: first wait up to this long for namespaces still terminating")
	f.DurationVar(&o.timeout, "timeout", timeouts.Current.Cleanup, "give up after this long, naming what is still there (a namespace stuck terminating)")
	return cmd
}

// cleanup removes what runs left behind: every namespace and cluster-scoped
// object carrying a run ID (all runs', or one run's).
func cleanup(ctx context.Context, w io.Writer, o cleanupOptions) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout+o.wait)
	defer cancel()
	cl, err := kube.Open(ctx, o.kubeconfig)
	if err != nil {
		return err
	}
	selector := kube.RunIDLabel
	if o.runID != "" {
		selector += "=" + o.runID
	}
	if o.dryRun {
		if o.wait > 0 {
			if err := cl.WaitTerminating(ctx, selector, o.wait); err != nil {
				return err
			}
		}
		left, err := cl.CountLabelled(ctx, selector)
		if err != nil {
			return err
		}
		for _, n := range left.Names {
			fmt.Fprintln(w, "left:", n)
		}
		// The total comes first: scripts read it.
		fmt.Fprintf(w, "%d objects left by test runs (%d namespaces, %d cluster-scoped)\n", left.Total(), left.Namespaces, left.ClusterScoped)
		return nil
	}
	logf("deleting namespaces and cluster-scoped objects matching %s on %s", selector, cl.Config.Host)
	return cl.DeleteLabelled(ctx, selector)
}
