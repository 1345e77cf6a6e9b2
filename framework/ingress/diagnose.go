package ingress

import (
	"context"

	"github.com/netconform/netconform/framework/kube"
)

// Diagnose says, for the failure of a check of found's class, what serves
// it: the controller as found and its pods now (after a scale to 0 the
// message must still say whose pods are gone), then what its descriptor's
// Diagnose adds.
func Diagnose(ctx context.Context, cl *kube.Client, found *Controller) string {
	msg := found.String()
	now := *found
	switch err := now.RefreshPods(ctx, cl.Clientset); {
	case err != nil:
		msg += " (pods now: " + err.Error() + ")"
	case len(now.Pods) == 0:
		msg += " — now no controller pod runs"
	case len(now.Pods) != len(found.Pods) || now.Pods[0].Name != found.Pods[0].Name:
		msg += " — now " + now.String()
	}
	if d := DescriptorFor(found.Name); d != nil && d.Diagnose != nil {
		if more := d.Diagnose(ctx, cl, found); more != "" {
			msg += "; " + more
		}
	}
	return msg
}
