package kube

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/e2e-framework/klient/k8s/resources"

	"github.com/netconform/netconform/framework/timeouts"
)

// ManagedByLabel marks objects netconform made, with or without a run.
const ManagedByLabel = "app.kubernetes.io/managed-by"

// clusterScoped lists the cluster-scoped kinds a run may create besides
// namespaces: cleanup finds a run's objects by listing exactly these, so
// CreateLabelled refuses any other cluster-scoped kind.
var clusterScoped = []struct {
	kind string
	list func() client.ObjectList
}{
	{"IngressClass", func() client.ObjectList { return &networkingv1.IngressClassList{} }},
	{"ClusterRole", func() client.ObjectList { return &rbacv1.ClusterRoleList{} }},
	{"ClusterRoleBinding", func() client.ObjectList { return &rbacv1.ClusterRoleBindingList{} }},
}

// CreateLabelled creates any typed object, namespaced or cluster-scoped,
// with the run ID label (and netconform's managed-by label) added, and
// fills obj with what the API server returned.
func (c *Client) CreateLabelled(ctx context.Context, obj client.Object, runID string) error {
	kind, err := c.kindOf(obj)
	if err != nil {
		return err
	}
	namespaced, err := c.Resources.GetControllerRuntimeClient().IsObjectNamespaced(obj)
	if err != nil {
		return fmt.Errorf("%s %s: %w", kind, obj.GetName(), err)
	}
	if !namespaced && kind != "Namespace" && !isCleanedUp(kind) {
		return fmt.Errorf("%s is cluster-scoped and not among the kinds cleanup removes (%s): add it to kube.clusterScoped", kind, strings.Join(cleanedUpKinds(), ", "))
	}
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[RunIDLabel] = runID
	labels[ManagedByLabel] = "netconform"
	obj.SetLabels(labels)
	// In a namespace just made, admission refuses pods until the
	// controller manager has created its default ServiceAccount (seconds,
	// longer on a loaded machine): retry that refusal only, within the
	// request timeout.
	var createErr error
	if c.Poll(ctx, timeouts.Current.Request, func() (string, error) {
		createErr = c.Resources.Create(ctx, obj)
		if serviceAccountPending(createErr) {
			return createErr.Error(), nil
		}
		return "", nil
	}) != nil {
		createErr = fmt.Errorf("%w (still refused after %s)", createErr, timeouts.Current.Request)
	}
	if createErr != nil {
		return fmt.Errorf("creating %s %s: %w", kind, objectName(obj), createErr)
	}
	return nil
}

// serviceAccountPending reports whether admission refused a pod because
// its namespace's ServiceAccount does not exist yet.
func serviceAccountPending(err error) bool {
	return apierrors.IsForbidden(err) && strings.Contains(err.Error(), "error looking up service account")
}

// Delete deletes an object made by CreateLabelled; an object already gone
// is not an error. A namespace goes the way DeleteNamespace says.
func (c *Client) Delete(ctx context.Context, obj client.Object) error {
	if ns, ok := obj.(*corev1.Namespace); ok {
		return c.DeleteNamespace(ctx, ns.Name)
	}
	if err := c.Resources.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
		kind, _ := c.kindOf(obj)
		return fmt.Errorf("deleting %s %s: %w", kind, objectName(obj), err)
	}
	return nil
}

// clusterScopedObjects counts the cluster-scoped objects matching the
// selector and, with remove, deletes them.
func (c *Client) clusterScopedObjects(ctx context.Context, selector string, remove bool) (int, error) {
	n := 0
	for _, k := range clusterScoped {
		list := k.list()
		if err := c.Resources.List(ctx, list, resources.WithLabelSelector(selector)); err != nil {
			return n, fmt.Errorf("listing %ss: %w", k.kind, err)
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return n, err
		}
		for _, item := range items {
			n++
			if !remove {
				continue
			}
			if err := c.Delete(ctx, item.(client.Object)); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (c *Client) kindOf(obj client.Object) (string, error) {
	gvks, _, err := c.Resources.GetScheme().ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return "", fmt.Errorf("object %s of type %T is not a known Kubernetes kind: %v", obj.GetName(), obj, err)
	}
	return gvks[0].Kind, nil
}

func isCleanedUp(kind string) bool {
	for _, k := range clusterScoped {
		if k.kind == kind {
			return true
		}
	}
	return false
}

func cleanedUpKinds() []string {
	out := []string{"Namespace"}
	for _, k := range clusterScoped {
		out = append(out, k.kind)
	}
	return out
}

func objectName(obj client.Object) string {
	if obj.GetNamespace() == "" {
		return obj.GetName()
	}
	return obj.GetNamespace() + "/" + obj.GetName()
}
