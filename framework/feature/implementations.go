package feature

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// detectIngress: an IngressClass names a controller that serves Ingresses
// of that class; with none, no Ingress spec can pass, whatever the
// cluster's routing does.
func detectIngress(ctx context.Context, in Input, set Set) error {
	list, err := in.Client.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{})
	if forbidden(set, Ingress, "IngressClasses", err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing IngressClasses: %w", err)
	}
	if len(list.Items) == 0 {
		set.Missing(Ingress, "no IngressClass: no Ingress controller is installed")
		return nil
	}
	var classes []string
	for _, c := range list.Items {
		classes = append(classes, c.Name+" ("+c.Spec.Controller+")")
	}
	sort.Strings(classes)
	set.Present(Ingress, "IngressClasses: "+strings.Join(classes, ", "))
	return nil
}

// loadBalancers are the LoadBalancer implementations netconform knows, by
// fragments of their controller's image (upstream's, and the one
// netconform builds). Kubernetes itself has none: a Service of type
// LoadBalancer stays pending unless one runs.
var loadBalancers = []struct {
	name   string
	images []string
}{
	{"MetalLB", []string{"metallb/controller", "metallb-controller"}},
	{"kube-vip cloud provider", []string{"kube-vip-cloud-provider"}},
	{"cloud-provider-kind", []string{"cloud-provider-kind"}},
}

// cloudProviders implement LoadBalancer through their cloud controller
// manager; nodes carry the provider's scheme in spec.providerID.
var cloudProviders = []string{"aws", "gce", "azure", "openstack", "digitalocean", "hcloud", "linode", "oci", "ibm", "vsphere"}

func detectLoadBalancer(ctx context.Context, in Input, set Set) error {
	deps, err := in.Client.AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
	if forbidden(set, LoadBalancer, "Deployments", err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing Deployments: %w", err)
	}
	for _, d := range deps.Items {
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, lb := range loadBalancers {
				for _, image := range lb.images {
					if strings.Contains(c.Image, image) {
						set.Present(LoadBalancer, fmt.Sprintf("%s runs (Deployment %s/%s, image %s)", lb.name, d.Namespace, d.Name, c.Image))
						return nil
					}
				}
			}
		}
	}
	nodes, err := in.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	for _, n := range nodes.Items {
		scheme, _, ok := strings.Cut(n.Spec.ProviderID, "://")
		for _, p := range cloudProviders {
			if ok && scheme == p {
				set.Present(LoadBalancer, fmt.Sprintf("node %s has providerID %s: the %s cloud controller implements LoadBalancer", n.Name, n.Spec.ProviderID, p))
				return nil
			}
		}
	}
	set.Missing(LoadBalancer, "no known LoadBalancer implementation runs (looked for the controllers of "+knownLoadBalancers()+
		", and cloud providerIDs on nodes): Services of type LoadBalancer would stay pending")
	return nil
}

func knownLoadBalancers() string {
	names := make([]string, len(loadBalancers))
	for i, lb := range loadBalancers {
		names[i] = lb.name
	}
	return strings.Join(names, ", ")
}

// detectDualStack: dual-stack needs both families in the nodes' podCIDRs
// and in the Service CIDRs.
func detectDualStack(ctx context.Context, in Input, set Set) error {
	nodes, err := in.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if forbidden(set, DualStack, "nodes", err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	for _, n := range nodes.Items {
		cidrs := n.Spec.PodCIDRs
		if len(cidrs) == 0 && n.Spec.PodCIDR != "" {
			cidrs = []string{n.Spec.PodCIDR}
		}
		if fams := families(cidrs); fams != "IPv4+IPv6" {
			set.Missing(DualStack, fmt.Sprintf("node %s has podCIDRs %v (%s)", n.Name, cidrs, fams))
			return nil
		}
	}
	scs, err := in.Client.NetworkingV1().ServiceCIDRs().List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) {
		set.Present(DualStack, "every node has IPv4 and IPv6 podCIDRs (no ServiceCIDR API to check Services)")
		return nil
	}
	if forbidden(set, DualStack, "ServiceCIDRs", err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing ServiceCIDRs: %w", err)
	}
	var svc []string
	for _, sc := range scs.Items {
		svc = append(svc, sc.Spec.CIDRs...)
	}
	if fams := families(svc); fams != "IPv4+IPv6" {
		set.Missing(DualStack, fmt.Sprintf("Service CIDRs %v (%s)", svc, fams))
		return nil
	}
	set.Present(DualStack, fmt.Sprintf("every node has IPv4 and IPv6 podCIDRs; Service CIDRs %v", svc))
	return nil
}

// families names the IP families of cidrs: "IPv4", "IPv6", "IPv4+IPv6" or "none".
func families(cidrs []string) string {
	var v4, v6 bool
	for _, c := range cidrs {
		ip, _, err := net.ParseCIDR(c)
		if err != nil {
			continue
		}
		if ip.To4() != nil {
			v4 = true
		} else {
			v6 = true
		}
	}
	switch {
	case v4 && v6:
		return "IPv4+IPv6"
	case v4:
		return "IPv4 only"
	case v6:
		return "IPv6 only"
	}
	return "none"
}

// forbidden records f as missing when the runner may not list what tells
// whether the cluster has it: its specs are then reported unsupported,
// with the permission to grant, rather than failing.
func forbidden(set Set, f Feature, what string, err error) bool {
	if !apierrors.IsForbidden(err) {
		return false
	}
	set.Missing(f, fmt.Sprintf("cannot tell: listing %s is forbidden (grant list on them to detect it): %v", what, err))
	return true
}
