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
