package addon

import (
	"context"
	_ "embed"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/loadbalancer"
	"github.com/netconform/netconform/framework/timeouts"
)

// PoolSize is how many addresses each cluster's pool holds: enough for
// the suites' LoadBalancer Services running in parallel and the Ingress
// controllers' own.
const PoolSize = 16

// poolName names the add-on's IPAddressPool and L2Advertisement.
const poolName = "netconform"

//go:embed manifests/metallb-pool.yaml
var metalLBPoolManifest string

// installPool carves the cluster's pool from the kind network, hands it to
// MetalLB and waits until its controller has taken it.
func installPool(ctx context.Context, cl *kube.Client) error {
	pool, err := kindPool(ctx, cl)
	if err != nil {
		return err
	}
	manifest, err := render("metallb-pool", metalLBPoolManifest, map[string]string{"Namespace": MetalLBNamespace, "Range": pool.String()})
	if err != nil {
		return err
	}
	if err := cl.Apply(ctx, manifest); err != nil {
		return err
	}
	return waitPool(ctx, cl, pool)
}

// kindNetwork is the Docker network kind puts its nodes on.
func kindNetwork() string {
	if n := os.Getenv("KIND_EXPERIMENTAL_DOCKER_NETWORK"); n != "" {
		return n
	}
	return "kind"
}

// kindPool carves the cluster's pool from the top of the kind network's
// IPv4 subnet, which Docker fills from the bottom.
func kindPool(ctx context.Context, cl *kube.Client) (loadbalancer.Pool, error) {
	network := kindNetwork()
	out, err := exec.CommandContext(ctx, "docker", "network", "inspect", network, "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}").Output()
	if err != nil {
		return loadbalancer.Pool{}, fmt.Errorf("docker network inspect %s: %w", network, err)
	}
	var subnet netip.Prefix
	for _, s := range strings.Fields(string(out)) {
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is4() {
			subnet = p.Masked()
		}
	}
	if !subnet.IsValid() {
		return loadbalancer.Pool{}, fmt.Errorf("docker network %s has no IPv4 subnet (%q)", network, strings.TrimSpace(string(out)))
	}
	cp, err := controlPlaneIP(ctx, cl)
	if err != nil {
		return loadbalancer.Pool{}, err
	}
	return carvePool(subnet, cp, PoolSize)
}

// carvePool picks size addresses near the top of subnet. Every kind
// cluster on the machine shares the network, so the slot is the control
// plane's offset in the subnet: unique among the clusters that run at once,
// so their pools never overlap.
func carvePool(subnet netip.Prefix, controlPlane netip.Addr, size int) (loadbalancer.Pool, error) {
	if !subnet.Contains(controlPlane) {
		return loadbalancer.Pool{}, fmt.Errorf("the control plane %s is not on the kind network %s", controlPlane, subnet)
	}
	base := v4(subnet.Addr())
	hosts := uint32(1) << (32 - subnet.Bits())
	offset := v4(controlPlane) - base
	// Slots count down from the broadcast address; they must stay in the
	// subnet's upper half, away from the addresses Docker hands out.
	top := uint64(offset+1) * uint64(size)
	if top+1 > uint64(hosts/2) {
		return loadbalancer.Pool{}, fmt.Errorf("the kind network %s is too small for a pool of %d addresses in slot %d (the control plane %s)", subnet, size, offset, controlPlane)
	}
	last := base + hosts - 2 - offset*uint32(size)
	return loadbalancer.Pool{First: addr4(last - uint32(size) + 1), Last: addr4(last)}, nil
}

func v4(a netip.Addr) uint32 { b := a.As4(); return binary.BigEndian.Uint32(b[:]) }

func addr4(n uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], n)
	return netip.AddrFrom4(b)
}

// controlPlaneIP is the InternalIP of the first control-plane node.
func controlPlaneIP(ctx context.Context, cl *kube.Client) (netip.Addr, error) {
	nodes, err := cl.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "node-role.kubernetes.io/control-plane"})
	if err != nil {
		return netip.Addr{}, fmt.Errorf("listing control-plane nodes: %w", err)
	}
	sort.Slice(nodes.Items, func(i, j int) bool { return nodes.Items[i].Name < nodes.Items[j].Name })
	for _, n := range nodes.Items {
		for _, a := range n.Status.Addresses {
			if ip, err := netip.ParseAddr(a.Address); err == nil && a.Type == corev1.NodeInternalIP && ip.Is4() {
				return ip, nil
			}
		}
	}
	return netip.Addr{}, fmt.Errorf("no control-plane node with an IPv4 InternalIP")
}

// waitPool waits until MetalLB's controller has taken the pool: its
// status counts the pool's addresses and the controller's configuration
// state is Valid.
func waitPool(ctx context.Context, cl *kube.Client, pool loadbalancer.Pool) error {
	dyn, err := dynamic.NewForConfig(cl.Config)
	if err != nil {
		return err
	}
	pools := dyn.Resource(metallbGroup.WithResource("ipaddresspools")).Namespace(MetalLBNamespace)
	states := dyn.Resource(metallbGroup.WithResource("configurationstates")).Namespace(MetalLBNamespace)
	return cl.Poll(ctx, timeouts.Current.SystemPods, func() (string, error) {
		p, err := pools.Get(ctx, poolName, metav1.GetOptions{})
		if err != nil {
			return "", fmt.Errorf("IPAddressPool %s/%s: %w", MetalLBNamespace, poolName, err)
		}
		avail, _, _ := unstructured.NestedInt64(p.Object, "status", "availableIPv4")
		assigned, _, _ := unstructured.NestedInt64(p.Object, "status", "assignedIPv4")
		if avail+assigned != PoolSize {
			return fmt.Sprintf("IPAddressPool %s (%s): the controller counts %d available and %d assigned addresses of %d", poolName, pool, avail, assigned, PoolSize), nil
		}
		s, err := states.Get(ctx, "controller", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return "the controller has not reported its configuration state yet", nil
		}
		if err != nil {
			return "", err
		}
		result, _, _ := unstructured.NestedString(s.Object, "status", "result")
		if result != "Valid" {
			summary, _, _ := unstructured.NestedString(s.Object, "status", "errorSummary")
			return fmt.Sprintf("the controller's configuration state is %q %s", result, summary), nil
		}
		return "", nil
	})
}

// installedPool returns the address pool the add-on installed on the
// cluster; ok is false when the cluster has none (MetalLB installed
// otherwise).
func installedPool(ctx context.Context, cl *kube.Client) (pool loadbalancer.Pool, ok bool, err error) {
	dyn, err := dynamic.NewForConfig(cl.Config)
	if err != nil {
		return loadbalancer.Pool{}, false, err
	}
	p, err := dyn.Resource(metallbGroup.WithResource("ipaddresspools")).Namespace(MetalLBNamespace).Get(ctx, poolName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return loadbalancer.Pool{}, false, nil
	}
	if err != nil {
		return loadbalancer.Pool{}, false, fmt.Errorf("IPAddressPool %s/%s: %w", MetalLBNamespace, poolName, err)
	}
	addrs, _, _ := unstructured.NestedStringSlice(p.Object, "spec", "addresses")
	if len(addrs) != 1 {
		return loadbalancer.Pool{}, false, fmt.Errorf("IPAddressPool %s/%s holds %v, not the one range the add-on writes", MetalLBNamespace, poolName, addrs)
	}
	pool, err = loadbalancer.ParsePool(addrs[0])
	return pool, err == nil, err
}
