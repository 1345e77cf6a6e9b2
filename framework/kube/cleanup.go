package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RunIDLabel marks every object a test run creates, with the run's ID.
const RunIDLabel = "netconform.io/run-id"

// DeleteLabelled deletes every namespace matching the label selector (and
// so everything in it) and waits until none is left.
func (c *Client) DeleteLabelled(ctx context.Context, selector string) error {
	nss := c.Clientset.CoreV1().Namespaces()
	list, err := nss.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return err
	}
	for _, ns := range list.Items {
		if err := nss.Delete(ctx, ns.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting namespace %s: %w", ns.Name, err)
		}
	}
	for {
		left, err := nss.List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err == nil && len(left.Items) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			var names []string
			if left != nil {
				for _, ns := range left.Items {
					names = append(names, ns.Name)
				}
			}
			return fmt.Errorf("namespaces still present: %s", strings.Join(names, ", "))
		case <-time.After(time.Second):
		}
	}
}
