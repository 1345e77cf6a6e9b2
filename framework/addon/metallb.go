package addon

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// MetalLBVersion is the MetalLB netconform builds and installs (the
// version build/metallb/go.mod pins).
const MetalLBVersion = "v0.16.1"

// MetalLB's images, built from build/metallb.
const (
	MetalLBController = "metallb-controller"
	MetalLBSpeaker    = "metallb-speaker"
)

// MetalLBNamespace is where the add-on installs MetalLB (and where
// MetalLB's own manifests put it).
const MetalLBNamespace = "metallb-system"

// metalLBModule is the module whose CRDs the add-on applies.
const metalLBModule = "go.universe.tf/metallb"

// PoolSize is how many addresses each cluster's pool holds: enough for
// the suites' LoadBalancer Services running in parallel and the Ingress
// controllers' own.
const PoolSize = 16

//go:embed manifests/metallb.yaml
var metalLBManifest string

//go:embed manifests/metallb-pool.yaml
var metalLBPoolManifest string

var metallbGroup = schema.GroupVersion{Group: "metallb.io", Version: "v1beta1"}

func init() {
	for _, c := range []struct{ name, pkg string }{
		{MetalLBController, metalLBModule + "/controller"},
		{MetalLBSpeaker, metalLBModule + "/speaker"},
	} {
		images.Register(images.Image{Name: c.name, Ref: "docker.io/netconform/" + c.name + ":" + MetalLBVersion, Recipe: &images.GoImage{
			Module:  "build/metallb",
			Package: c.pkg,
			// Static Go binaries on scratch: the speaker answers ARP through
			// a raw socket of its own and runs no tool.
			Dockerfile: "COPY bin /" + c.name + "\nENTRYPOINT [\"/" + c.name + "\"]\n",
		}})
	}
	cluster.RegisterAddOn(metalLB{})
}

// metalLB is MetalLB in layer 2 mode with an address pool carved from the
// kind Docker network, which the runner's host reaches.
type metalLB struct{}

func (metalLB) Name() string     { return "metallb" }
func (metalLB) Images() []string { return []string{MetalLBController, MetalLBSpeaker} }

func (metalLB) Steps() []cluster.Step {
	return []cluster.Step{
		{Name: "CRDs from " + metalLBModule + "@" + MetalLBVersion, Run: func(ctx context.Context, c *cluster.Cluster) error {
			return applyMetalLBCRDs(ctx, c.Client)
		}},
		{Name: "controller and speaker", Run: func(ctx context.Context, c *cluster.Cluster) error {
			manifest, err := render("metallb", metalLBManifest, map[string]string{"Namespace": MetalLBNamespace, "Version": MetalLBVersion})
			if err != nil {
				return err
			}
			if err := c.Client.Apply(ctx, manifest); err != nil {
				return err
			}
			if err := c.Client.WaitDeployment(ctx, MetalLBNamespace, "controller", timeouts.Current.SystemPods); err != nil {
				return err
			}
			return c.Client.WaitDaemonSet(ctx, MetalLBNamespace, "speaker", timeouts.Current.SystemPods)
		}},
		{Name: "address pool", Run: func(ctx context.Context, c *cluster.Cluster) error {
			pool, err := kindPool(ctx, c.Client)
			if err != nil {
				return err
			}
			manifest, err := render("metallb-pool", metalLBPoolManifest, map[string]string{"Namespace": MetalLBNamespace, "Range": pool.String()})
			if err != nil {
				return err
			}
			if err := c.Client.Apply(ctx, manifest); err != nil {
				return err
			}
			return waitPool(ctx, c.Client, pool)
		}},
	}
}

// metalLBModuleDir is MetalLB's module in the Go module cache, at the
// version build/metallb pins (downloaded if it is not there yet).
func metalLBModuleDir(ctx context.Context) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := images.FindRepoRoot(wd)
	if err != nil {
		return "", fmt.Errorf("MetalLB's CRDs come from its Go module, pinned in build/metallb: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", metalLBModule)
	cmd.Dir = filepath.Join(root, "build", "metallb")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s (in build/metallb): %w: %s", metalLBModule, err, stderr.String())
	}
	var mod struct{ Version, Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", metalLBModule, err)
	}
	if mod.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", metalLBModule, mod.Error)
	}
	if mod.Version != MetalLBVersion {
		return "", fmt.Errorf("build/metallb pins %s %s, the add-on installs %s: keep them in step", metalLBModule, mod.Version, MetalLBVersion)
	}
	return mod.Dir, nil
}

// applyMetalLBCRDs applies MetalLB's CRDs, as its module ships them, and
// waits until the API server serves the kinds the add-on creates.
func applyMetalLBCRDs(ctx context.Context, cl *kube.Client) error {
	dir, err := metalLBModuleDir(ctx)
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(dir, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no CRDs under %s/config/crd/bases (%v)", dir, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := cl.Apply(ctx, data); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
	}
	want := []string{"ipaddresspools", "l2advertisements", "configurationstates", "servicel2statuses"}
	return poll(ctx, timeouts.Current.SystemPods, func() (string, error) {
		list, err := cl.Clientset.Discovery().ServerResourcesForGroupVersion(metallbGroup.String())
		if err != nil {
			return "API group " + metallbGroup.String() + ": " + err.Error(), nil
		}
		var missing []string
		for _, w := range want {
			if !slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == w }) {
				missing = append(missing, w)
			}
		}
		if len(missing) > 0 {
			return "not served yet: " + strings.Join(missing, ", "), nil
		}
		return "", nil
	})
}

// poll calls check every Poll interval until it reports nothing pending,
// fails, or the bound passes; the error then says what was pending.
func poll(ctx context.Context, bound time.Duration, check func() (pending string, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	for {
		pending, err := check()
		if err != nil {
			return err
		}
		if pending == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready within %s: %s", bound, pending)
		case <-time.After(timeouts.Current.Poll):
		}
	}
}

// Pool is a range of IPv4 addresses, both ends included.
type Pool struct{ First, Last netip.Addr }

func (p Pool) String() string { return p.First.String() + "-" + p.Last.String() }

// Contains reports whether ip is in the pool.
func (p Pool) Contains(ip netip.Addr) bool {
	return ip.Is4() && p.First.Compare(ip) <= 0 && ip.Compare(p.Last) <= 0
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
func kindPool(ctx context.Context, cl *kube.Client) (Pool, error) {
	network := kindNetwork()
	out, err := exec.CommandContext(ctx, "docker", "network", "inspect", network, "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}").Output()
	if err != nil {
		return Pool{}, fmt.Errorf("docker network inspect %s: %w", network, err)
	}
	var subnet netip.Prefix
	for _, s := range strings.Fields(string(out)) {
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is4() {
			subnet = p.Masked()
		}
	}
	if !subnet.IsValid() {
		return Pool{}, fmt.Errorf("docker network %s has no IPv4 subnet (%q)", network, strings.TrimSpace(string(out)))
	}
	cp, err := controlPlaneIP(ctx, cl)
	if err != nil {
		return Pool{}, err
	}
	return carvePool(subnet, cp, PoolSize)
}

// carvePool picks size addresses near the top of subnet. Every kind
// cluster on the machine shares the network, so the slot is the control
// plane's offset in the subnet: unique among the clusters that run at once,
// so their pools never overlap.
func carvePool(subnet netip.Prefix, controlPlane netip.Addr, size int) (Pool, error) {
	if !subnet.Contains(controlPlane) {
		return Pool{}, fmt.Errorf("the control plane %s is not on the kind network %s", controlPlane, subnet)
	}
	base := v4(subnet.Addr())
	hosts := uint32(1) << (32 - subnet.Bits())
	offset := v4(controlPlane) - base
	// Slots count down from the broadcast address; they must stay in the
	// subnet's upper half, away from the addresses Docker hands out.
	top := uint64(offset+1) * uint64(size)
	if top+1 > uint64(hosts/2) {
		return Pool{}, fmt.Errorf("the kind network %s is too small for a pool of %d addresses in slot %d (the control plane %s)", subnet, size, offset, controlPlane)
	}
	last := base + hosts - 2 - offset*uint32(size)
	return Pool{First: addr4(last - uint32(size) + 1), Last: addr4(last)}, nil
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
func waitPool(ctx context.Context, cl *kube.Client, pool Pool) error {
	dyn, err := dynamic.NewForConfig(cl.Config)
	if err != nil {
		return err
	}
	pools := dyn.Resource(metallbGroup.WithResource("ipaddresspools")).Namespace(MetalLBNamespace)
	states := dyn.Resource(metallbGroup.WithResource("configurationstates")).Namespace(MetalLBNamespace)
	return poll(ctx, timeouts.Current.SystemPods, func() (string, error) {
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

// poolName names the add-on's IPAddressPool and L2Advertisement.
const poolName = "netconform"

// metalLBImages are fragments of MetalLB's controller and speaker images,
// upstream's and ours, by which an install is found in any namespace.
var (
	metalLBControllerImages = []string{"metallb/controller", MetalLBController}
	metalLBSpeakerImages    = []string{"metallb/speaker", MetalLBSpeaker}
)

func runsImage(spec corev1.PodSpec, fragments []string) bool {
	for _, c := range spec.Containers {
		for _, f := range fragments {
			if strings.Contains(c.Image, f) {
				return true
			}
		}
	}
	return false
}

// MetalLBState is what DescribeMetalLB found.
type MetalLBState struct {
	// Installed: a Deployment runs MetalLB's controller.
	Installed bool
	// Assigning: the controller has a ready pod, so Services get addresses.
	Assigning bool
	// Announcing: some speaker pod is ready, so addresses are announced.
	Announcing bool
	// Text says all of it, for failure messages.
	Text string
}

func (s MetalLBState) String() string { return s.Text }

// DescribeMetalLB says, for the failure message of a LoadBalancer check,
// what MetalLB is doing for svc (nil: in general): whether its controller
// and speakers run, and where, which node announces the Service's
// address, MetalLB's events on the Service and its configuration state.
func DescribeMetalLB(ctx context.Context, cl *kube.Client, svc *corev1.Service) MetalLBState {
	deps, err := cl.Clientset.AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return MetalLBState{Text: "MetalLB: listing Deployments: " + err.Error()}
	}
	var controller *appsv1.Deployment
	for i := range deps.Items {
		if runsImage(deps.Items[i].Spec.Template.Spec, metalLBControllerImages) {
			controller = &deps.Items[i]
			break
		}
	}
	if controller == nil {
		return MetalLBState{Text: "MetalLB is not installed (no Deployment runs its controller)"}
	}
	st := MetalLBState{Installed: true, Assigning: controller.Status.ReadyReplicas > 0}
	ns := controller.Namespace
	parts := []string{fmt.Sprintf("controller %s/%s: %d of %d pods ready (%s)", ns, controller.Name,
		controller.Status.ReadyReplicas, replicas(controller), podsOf(ctx, cl, ns, controller.Spec.Selector))}
	speaker, err := MetalLBSpeakers(ctx, cl)
	switch {
	case err != nil:
		parts = append(parts, "speaker: "+err.Error())
	case speaker == nil:
		parts = append(parts, "speaker not running: no DaemonSet runs MetalLB's speaker, so no node announces any address")
	default:
		s := speaker.Status
		st.Announcing = s.NumberReady > 0
		desc := fmt.Sprintf("speaker %s/%s: %d of %d pods ready (%s)", speaker.Namespace, speaker.Name, s.NumberReady, s.DesiredNumberScheduled,
			podsOf(ctx, cl, speaker.Namespace, speaker.Spec.Selector))
		if !st.Announcing {
			desc = "speaker not running: " + desc
		}
		parts = append(parts, desc)
	}
	if svc != nil {
		parts = append(parts, announcers(ctx, cl, ns, svc))
		if ev := metalLBEvents(ctx, cl, svc); ev != "" {
			parts = append(parts, "its events on the Service so far: "+ev)
		}
	}
	parts = append(parts, configStates(ctx, cl, ns))
	st.Text = "MetalLB " + strings.Join(parts, "; ")
	return st
}

func replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

// MetalLBSpeakers returns the DaemonSet that runs MetalLB's speaker, in
// any namespace; nil when there is none.
func MetalLBSpeakers(ctx context.Context, cl *kube.Client) (*appsv1.DaemonSet, error) {
	dss, err := cl.Clientset.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing DaemonSets: %w", err)
	}
	for i := range dss.Items {
		if runsImage(dss.Items[i].Spec.Template.Spec, metalLBSpeakerImages) {
			return &dss.Items[i], nil
		}
	}
	return nil, nil
}

// InstalledPool returns the address pool the add-on installed on the
// cluster; ok is false when the cluster has none (MetalLB installed
// otherwise, or another implementation).
func InstalledPool(ctx context.Context, cl *kube.Client) (pool Pool, ok bool, err error) {
	dyn, err := dynamic.NewForConfig(cl.Config)
	if err != nil {
		return Pool{}, false, err
	}
	p, err := dyn.Resource(metallbGroup.WithResource("ipaddresspools")).Namespace(MetalLBNamespace).Get(ctx, poolName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return Pool{}, false, nil
	}
	if err != nil {
		return Pool{}, false, fmt.Errorf("IPAddressPool %s/%s: %w", MetalLBNamespace, poolName, err)
	}
	addrs, _, _ := unstructured.NestedStringSlice(p.Object, "spec", "addresses")
	if len(addrs) != 1 {
		return Pool{}, false, fmt.Errorf("IPAddressPool %s/%s holds %v, not the one range the add-on writes", MetalLBNamespace, poolName, addrs)
	}
	pool, err = ParsePool(addrs[0])
	return pool, err == nil, err
}

// ParsePool reads "first-last".
func ParsePool(s string) (Pool, error) {
	first, last, ok := strings.Cut(s, "-")
	a, errA := netip.ParseAddr(strings.TrimSpace(first))
	b, errB := netip.ParseAddr(strings.TrimSpace(last))
	if !ok || errA != nil || errB != nil || !a.Is4() || !b.Is4() || b.Less(a) {
		return Pool{}, fmt.Errorf("address range %q is not first-last in IPv4", s)
	}
	return Pool{First: a, Last: b}, nil
}

// podsOf lists the pods a selector picks, with their node and state.
func podsOf(ctx context.Context, cl *kube.Client, ns string, sel *metav1.LabelSelector) string {
	selector, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return err.Error()
	}
	pods, err := cl.Clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return "pods: " + err.Error()
	}
	if len(pods.Items) == 0 {
		return "no pods"
	}
	var out []string
	for i := range pods.Items {
		p := &pods.Items[i]
		out = append(out, fmt.Sprintf("%s on %s %s", p.Name, p.Spec.NodeName, kube.PodState(p)))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// AnnouncedServices maps each Service ("namespace/name") that a MetalLB
// speaker announces in layer 2 to the nodes announcing it ("n1" or, while
// one hands over to another, "n1, n2"), from the speakers'
// ServiceL2Status objects in MetalLB's namespace ns.
func AnnouncedServices(ctx context.Context, cl *kube.Client, ns string) (map[string]string, error) {
	dyn, err := dynamic.NewForConfig(cl.Config)
	if err != nil {
		return nil, err
	}
	list, err := dyn.Resource(metallbGroup.WithResource("servicel2statuses")).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing ServiceL2Status in %s: %w", ns, err)
	}
	nodes := map[string][]string{}
	for _, s := range list.Items {
		name, _, _ := unstructured.NestedString(s.Object, "status", "serviceName")
		namespace, _, _ := unstructured.NestedString(s.Object, "status", "serviceNamespace")
		node, _, _ := unstructured.NestedString(s.Object, "status", "node")
		nodes[namespace+"/"+name] = append(nodes[namespace+"/"+name], node)
	}
	out := map[string]string{}
	for svc, n := range nodes {
		sort.Strings(n)
		out[svc] = strings.Join(n, ", ")
	}
	return out, nil
}

// announcers says which nodes announce svc, from the speakers'
// ServiceL2Status objects.
func announcers(ctx context.Context, cl *kube.Client, ns string, svc *corev1.Service) string {
	all, err := AnnouncedServices(ctx, cl, ns)
	if err != nil {
		return "announcing node: " + err.Error()
	}
	nodes := all[svc.Namespace+"/"+svc.Name]
	if nodes == "" {
		return "no node announces " + svc.Namespace + "/" + svc.Name + " (no ServiceL2Status for it)"
	}
	return "announced by node " + nodes
}

// metalLBEvents are the recent events MetalLB recorded on svc (address
// allocation, node assignment, failures).
func metalLBEvents(ctx context.Context, cl *kube.Client, svc *corev1.Service) string {
	evs, err := cl.Clientset.CoreV1().Events(svc.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Service,involvedObject.name=" + svc.Name})
	if err != nil {
		return "listing events: " + err.Error()
	}
	sort.Slice(evs.Items, func(i, j int) bool { return evs.Items[i].LastTimestamp.Before(&evs.Items[j].LastTimestamp) })
	var out []string
	for _, e := range evs.Items {
		if strings.HasPrefix(e.Source.Component, "metallb") {
			out = append(out, fmt.Sprintf("%s %s: %s", e.Type, e.Reason, e.Message))
		}
	}
	if len(out) > 5 {
		out = out[len(out)-5:]
	}
	return strings.Join(out, " | ")
}

// configStates summarises MetalLB's ConfigurationState objects: whether
// the controller and each speaker accepted the configuration.
func configStates(ctx context.Context, cl *kube.Client, ns string) string {
	dyn, err := dynamic.NewForConfig(cl.Config)
	if err != nil {
		return "configuration: " + err.Error()
	}
	list, err := dyn.Resource(metallbGroup.WithResource("configurationstates")).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "configuration: listing ConfigurationState: " + err.Error()
	}
	var out []string
	for _, s := range list.Items {
		result, _, _ := unstructured.NestedString(s.Object, "status", "result")
		d := s.GetName() + " " + result
		if summary, _, _ := unstructured.NestedString(s.Object, "status", "errorSummary"); summary != "" {
			d += " (" + summary + ")"
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return "configuration: no ConfigurationState reported"
	}
	sort.Strings(out)
	return "configuration: " + strings.Join(out, ", ")
}
