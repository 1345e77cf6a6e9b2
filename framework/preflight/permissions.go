package preflight

import (
	"context"
	"fmt"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/rbac"
)

// Permissions checks, by SelfSubjectAccessReview, every permission of the
// runner role (and of the Disruptive role when disruptive), so that a
// missing one is an error naming it before any spec starts rather than a
// "forbidden" halfway through one.
func Permissions(ctx context.Context, cl *kube.Client, disruptive bool) error {
	if err := rbac.Check(ctx, cl.Clientset, rbac.RunnerRole, rbac.Runner); err != nil {
		return fmt.Errorf("permissions: %w", err)
	}
	if !disruptive {
		return nil
	}
	if err := rbac.Check(ctx, cl.Clientset, rbac.DisruptiveRole, rbac.Disruptive); err != nil {
		return fmt.Errorf("permissions of the Disruptive specs: %w", err)
	}
	return nil
}
