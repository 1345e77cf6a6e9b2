package kube

import (
	"bytes"
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/e2e-framework/klient/decoder"
	"sigs.k8s.io/e2e-framework/klient/k8s"
)

// Apply creates every object of a multi-document manifest, updating the
// ones that exist already, so applying twice is harmless.
func (c *Client) Apply(ctx context.Context, manifest []byte, opts ...decoder.DecodeOption) error {
	return decoder.DecodeEach(ctx, bytes.NewReader(manifest), func(ctx context.Context, obj k8s.Object) error {
		err := c.Resources.Create(ctx, obj)
		if apierrors.IsAlreadyExists(err) {
			existing := obj.DeepCopyObject().(k8s.Object)
			if err := c.Resources.Get(ctx, obj.GetName(), obj.GetNamespace(), existing); err != nil {
				return err
			}
			obj.SetResourceVersion(existing.GetResourceVersion())
			err = c.Resources.Update(ctx, obj)
		}
		if err != nil {
			return fmt.Errorf("apply %s %s/%s: %w", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetNamespace(), obj.GetName(), err)
		}
		return nil
	}, opts...)
}
