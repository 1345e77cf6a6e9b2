package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/netconform/netconform/framework/timeouts"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// RunIDLabel marks every object a test run creates, with the run's ID.
const RunIDLabel = "netconform.io/run-id"

// Leftovers counts the objects of test runs still in a cluster.
type Leftovers struct {
	Namespaces    int
	ClusterScoped int // IngressClasses, ClusterRoles, ClusterRoleBindings
	// Names lists the namespaces, each with its phase (Active, or
	// Terminating and why it still is).
	Names []string
}

// Total is every object counted.
func (l Leftovers) Total() int { return l.Namespaces + l.ClusterScoped }

// CountLabelled counts the namespaces and cluster-scoped objects matching
// the label selector.
func (c *Client) CountLabelled(ctx context.Context, selector string) (Leftovers, error) {
	list, err := c.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return Leftovers{}, err
	}
	left := Leftovers{Namespaces: len(list.Items)}
	for _, ns := range list.Items {
		desc := ns.Name + " (" + string(ns.Status.Phase)
		for _, cond := range ns.Status.Conditions {
			if cond.Status == "True" && cond.Message != "" {
				desc += ": " + cond.Message
			}
		}
		left.Names = append(left.Names, desc+")")
	}
	left.ClusterScoped, err = c.clusterScopedObjects(ctx, selector, false)
	return left, err
}

// WaitTerminating waits, up to timeout, until no namespace matching the
// selector is still being deleted: a namespace a run deleted a moment ago
// is not a leak, one still terminating after the bound is.
func (c *Client) WaitTerminating(ctx context.Context, selector string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		list, err := c.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err == nil {
			terminating := 0
			for _, ns := range list.Items {
				if ns.Status.Phase == "Terminating" {
					terminating++
				}
			}
			if terminating == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return nil // the count that follows names what is still there
		case <-time.After(timeouts.Current.Repeat):
		}
	}
}

// DeleteLabelled deletes every cluster-scoped object and every namespace
// (and so everything in it) matching the label selector, and waits until
// no such namespace is left.
func (c *Client) DeleteLabelled(ctx context.Context, selector string) error {
	if err := c.StartDeleteLabelled(ctx, selector); err != nil {
		return err
	}
	nss := c.Clientset.CoreV1().Namespaces()
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
		case <-time.After(timeouts.Current.Repeat):
		}
	}
}

// StartDeleteLabelled is DeleteLabelled without the wait: the namespaces
// are deleted (their pods at once, see DeleteNamespace) and go in the
// background, for a caller that checks later that they went.
func (c *Client) StartDeleteLabelled(ctx context.Context, selector string) error {
	if _, err := c.clusterScopedObjects(ctx, selector, true); err != nil {
		return err
	}
	list, err := c.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return err
	}
	for _, ns := range list.Items {
		if err := c.DeleteNamespace(ctx, ns.Name); err != nil {
			return err
		}
	}
	return nil
}

// DeleteNamespace deletes a test namespace without waiting for it to go.
// Its pods go first, with no grace period: they are test fixtures with
// nothing to shut down, and a namespace is gone only when its last pod
// is, so graceful termination (kubelet, runtime and CNI teardown, on a
// busy node) would hold every namespace, and the run's end, for tens of
// seconds.
func (c *Client) DeleteNamespace(ctx context.Context, name string) error {
	err := c.Clientset.CoreV1().Pods(name).DeleteCollection(ctx,
		metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}, metav1.ListOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting the pods of namespace %s: %w", name, err)
	}
	err = c.Clientset.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting namespace %s: %w", name, err)
	}
	return nil
}
