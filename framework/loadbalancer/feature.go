package loadbalancer

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/feature"
)

// FeatureDetector decides feature.LoadBalancer from the registered
// descriptors: Kubernetes itself has no implementation, and a Service of
// type LoadBalancer stays pending unless one runs.
var FeatureDetector = feature.DetectorFunc("LoadBalancer implementation", detectFeature)

func init() { feature.RegisterDetector(FeatureDetector) }

// cloudProviders implement LoadBalancer through their cloud controller
// manager; nodes carry the provider's scheme in spec.providerID.
var cloudProviders = []string{"aws", "gce", "azure", "openstack", "digitalocean", "hcloud", "linode", "oci", "ibm", "vsphere"}

func detectFeature(ctx context.Context, in feature.Input, set feature.Set) error {
	found, err := Detect(ctx, in.Client)
	if apierrors.IsForbidden(err) {
		set.Missing(feature.LoadBalancer, fmt.Sprintf("cannot tell: listing Deployments is forbidden (grant list on them to detect it): %v", err))
		return nil
	}
	if err != nil {
		return err
	}
	if found != nil {
		set.Present(feature.LoadBalancer, fmt.Sprintf("%s runs (Deployment %s/%s, image %s)", found.Name, found.Namespace, found.Deployment, found.Image))
		return nil
	}
	nodes, err := in.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	for _, n := range nodes.Items {
		scheme, _, ok := strings.Cut(n.Spec.ProviderID, "://")
		for _, p := range cloudProviders {
			if ok && scheme == p {
				set.Present(feature.LoadBalancer, fmt.Sprintf("node %s has providerID %s: the %s cloud controller implements LoadBalancer", n.Name, n.Spec.ProviderID, p))
				return nil
			}
		}
	}
	set.Missing(feature.LoadBalancer, "no known LoadBalancer implementation runs (looked for the controllers of "+Known()+
		", and cloud providerIDs on nodes): Services of type LoadBalancer would stay pending")
	return nil
}
