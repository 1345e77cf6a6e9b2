package main

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/kube"
)

// cleanup removes what runs left behind: every namespace carrying a run ID
// (all runs', or one run's).
func cleanup(ctx context.Context, args []string) error {
	fs := newFlags("cleanup")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster (default $KUBECONFIG)")
	runID := fs.String("run-id", "", "remove only this run's objects")
	dryRun := fs.Bool("dry-run", false, "only count what would be removed")
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
	if *dryRun {
		left, err := cl.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return err
		}
		fmt.Printf("%d namespaces left by test runs\n", len(left.Items))
		return nil
	}
	logf("deleting namespaces matching %s on %s", selector, cl.Config.Host)
	return cl.DeleteLabelled(ctx, selector)
}
