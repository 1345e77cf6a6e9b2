package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"

	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// Defaults of Config.
const (
	DefaultName    = "netconform"
	DefaultCNI     = "kube-router"
	DefaultWorkers = 2
	// DefaultAddOns are what the embedded cluster and `make cluster` carry
	// besides the CNI: MetalLB first, so that the Ingress controllers'
	// LoadBalancer Services get their addresses from it.
	DefaultAddOns = "metallb,traefik,haproxy"
	ServiceSubnet = "10.96.0.0/16"
)

// Config describes the cluster to create.
type Config struct {
	Name       string // kind cluster name; DefaultName when empty
	CNI        string // one of cni.Known(); DefaultCNI when empty
	Workers    int    // worker nodes besides the control plane; DefaultWorkers when 0
	Kubeconfig string // where to write the kubeconfig; DefaultKubeconfig(Name) when empty
	NodeImage  string // images.Ref(images.Node) when empty
	// AddOns are installed after the CNI, in order.
	AddOns []AddOn
	// Registry (host:port) is a plain-HTTP registry the nodes' containerd
	// pulls from. With it, the images the suites start
	// (images.RunImages) are not loaded into the nodes: they must be
	// pulled, as on a cluster we did not build; set images.SetRegistry
	// too, so that the cross-node check's pods name them there.
	Registry string
	// Reuse a running cluster of the same name (checking it end to end)
	// instead of refusing to touch it.
	Reuse bool
	// Retain keeps the nodes of a failed creation for debugging.
	Retain bool
	Log    func(format string, args ...any)
}

func (c *Config) defaults() {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.CNI == "" {
		c.CNI = DefaultCNI
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.Kubeconfig == "" {
		c.Kubeconfig = DefaultKubeconfig(c.Name)
	}
	if c.NodeImage == "" {
		c.NodeImage = images.Ref(images.Node)
	}
	if c.Log == nil {
		c.Log = func(string, ...any) {}
	}
}

// DefaultKubeconfig is where the kubeconfig of a cluster named name is written.
func DefaultKubeconfig(name string) string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "netconform", name+".kubeconfig")
}

// Cluster is a running kind cluster made by Create.
type Cluster struct {
	Name       string
	Kubeconfig string
	Client     *kube.Client
	// Timings of the steps Create ran, for reports and benchmarks.
	Timings []Timing

	cfg      Config
	provider *kindcluster.Provider
	nodes    []nodes.Node
	images   []string // references of what the steps need in the nodes
}

func provider(logf func(string, ...any)) *kindcluster.Provider {
	return kindcluster.NewProvider(kindcluster.ProviderWithDocker(), kindcluster.ProviderWithLogger(kindLogger{logf}))
}

// Exists reports whether a kind cluster of that name is present.
func Exists(name string) (bool, error) {
	names, err := provider(func(string, ...any) {}).List()
	if err != nil {
		return false, fmt.Errorf("listing kind clusters: %w", err)
	}
	return slices.Contains(names, name), nil
}

// Create creates the cluster (or reuses it, with Reuse) and returns once it
// is usable end to end, running its steps in order.
func Create(ctx context.Context, cfg Config) (*Cluster, error) {
	cfg.defaults()
	plugin, err := cni.Lookup(cfg.CNI)
	if err != nil {
		return nil, err
	}
	if cfg.Workers < 1 {
		return nil, fmt.Errorf("a cluster needs at least one worker to test cross-node traffic (got %d)", cfg.Workers)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Kubeconfig), 0o755); err != nil {
		return nil, err
	}
	exists, err := Exists(cfg.Name)
	if err != nil {
		return nil, err
	}
	if exists && !cfg.Reuse {
		return nil, fmt.Errorf("a kind cluster named %q exists already; delete it (make cluster-down CLUSTER=%s) or reuse it (--reuse)", cfg.Name, cfg.Name)
	}
	c := &Cluster{Name: cfg.Name, Kubeconfig: cfg.Kubeconfig, cfg: cfg, provider: provider(cfg.Log)}
	steps := plan(cfg, plugin, exists)
	c.images = imageRefs(loaded(stepImages(steps), cfg.Registry))
	for _, ref := range append([]string{cfg.NodeImage}, c.images...) {
		if err := exec.CommandContext(ctx, "docker", "image", "inspect", ref).Run(); err != nil {
			return nil, fmt.Errorf("image %s is not in the local Docker engine: build it first (make images, or netconform images build)", ref)
		}
	}
	if err := runSteps(ctx, c, steps, cfg.Log); err != nil {
		return nil, err
	}
	return c, nil
}

// plan lists the steps of Create: the kind cluster (made of a node image
// holding its images, or reused when it exists and loaded with them), the
// egress guard, the CNI, waits and the
// end-to-end check, then the add-ons.
func plan(cfg Config, plugin cni.Plugin, exists bool) []Step {
	var steps []Step
	if !exists {
		// New nodes are made of a node image that holds every image the
		// steps need, the suites' own pods' too (images.RunImages: probe
		// agents, and node tools for the Disruptive specs).
		steps = append(steps, Step{Name: "node image", Images: images.RunImages, Run: func(ctx context.Context, c *Cluster) error {
			ref, err := images.NodeWith(ctx, c.cfg.NodeImage, c.images, c.cfg.Log)
			c.cfg.NodeImage = ref
			return err
		}})
	}
	steps = append(steps, kindStep(exists, plugin.PodSubnet))
	if cfg.Registry != "" {
		steps = append(steps, Step{Name: "registry " + cfg.Registry, Run: func(ctx context.Context, c *Cluster) error {
			return trustRegistry(ctx, c.nodes, cfg.Registry)
		}})
	}
	if exists {
		// Nodes made before: the images may have changed since.
		steps = append(steps, Step{Name: "load images", Images: images.RunImages, Run: func(ctx context.Context, c *Cluster) error {
			return loadImages(ctx, c.nodes, c.images)
		}})
	}
	steps = append(steps,
		Step{Name: "egress guard", Run: func(ctx context.Context, c *Cluster) error {
			return guardEgress(ctx, c.nodes, plugin.PodSubnet)
		}},
		Step{Name: "install CNI " + plugin.Name, Images: plugin.ImageNames(), Run: func(ctx context.Context, c *Cluster) error {
			manifest, err := plugin.Manifest("")
			if err != nil {
				return err
			}
			return c.Client.Apply(ctx, manifest)
		}})
	steps = append(steps,
		Step{Name: "wait nodes and system pods", Run: func(ctx context.Context, c *Cluster) error {
			if err := c.Client.WaitNodesReady(ctx, cfg.Workers+1, timeouts.Current.NodesReady); err != nil {
				return err
			}
			if err := c.Client.WaitDaemonSet(ctx, plugin.Namespace, plugin.DaemonSet(), timeouts.Current.SystemPods); err != nil {
				return err
			}
			return c.Client.WaitDeployment(ctx, "kube-system", "coredns", timeouts.Current.SystemPods)
		}},
		Step{Name: "cross-node check", Images: []string{images.Agent}, Run: func(ctx context.Context, c *Cluster) error {
			return CheckCrossNode(ctx, c.Client, cfg.Log)
		}})
	// Add-ons go on a cluster whose nodes, CNI and DNS work end to end, so
	// that an add-on that fails is the add-on's fault.
	for _, a := range cfg.AddOns {
		steps = append(steps, addOnSteps(a)...)
	}
	return steps
}

// kindStep creates the kind cluster, or exports the kubeconfig of the one
// there, and connects to it.
func kindStep(exists bool, podSubnet string) Step {
	name := "kind create"
	if exists {
		name = "kind reuse"
	}
	return Step{Name: name, Run: func(ctx context.Context, c *Cluster) error {
		if exists {
			c.cfg.Log("reusing the existing kind cluster %q", c.Name)
			if err := c.provider.ExportKubeConfig(c.Name, c.Kubeconfig, false); err != nil {
				return fmt.Errorf("exporting the kubeconfig of %q: %w", c.Name, err)
			}
		} else {
			err := c.provider.Create(c.Name,
				kindcluster.CreateWithV1Alpha4Config(kindConfig(c.cfg, podSubnet)),
				kindcluster.CreateWithKubeconfigPath(c.Kubeconfig),
				kindcluster.CreateWithDisplayUsage(false),
				kindcluster.CreateWithRetain(c.cfg.Retain),
				kindcluster.CreateWithDisplaySalutation(false))
			if err != nil {
				return err
			}
		}
		var err error
		if c.nodes, err = c.provider.ListNodes(c.Name); err != nil {
			return err
		}
		c.Client, err = kube.Open(ctx, c.Kubeconfig)
		return err
	}}
}

func imageRefs(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = images.Ref(n)
	}
	return out
}

// etcdWithoutFsync lets the test cluster's etcd skip fsync: its data lives
// only as long as the cluster, and on a small CI machine the fsyncs of every
// pod and namespace change are a large share of the run's time. kind v0.33
// writes kubeadm's v1beta3 config for Kubernetes 1.34 (extraArgs a map);
// the patch names that version, as one for v1beta4 would need a list.
const etcdWithoutFsync = `apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
etcd:
  local:
    extraArgs:
      unsafe-no-fsync: "true"
`

// kindConfig is the kind cluster of cfg, with its CNI's pod subnet.
func kindConfig(cfg Config, podSubnet string) *v1alpha4.Cluster {
	kc := &v1alpha4.Cluster{
		Networking: v1alpha4.Networking{
			DisableDefaultCNI: true,
			PodSubnet:         podSubnet,
			ServiceSubnet:     ServiceSubnet,
		},
		Nodes:                []v1alpha4.Node{{Role: v1alpha4.ControlPlaneRole, Image: cfg.NodeImage}},
		KubeadmConfigPatches: []string{etcdWithoutFsync},
	}
	if cfg.Registry != "" {
		kc.ContainerdConfigPatches = []string{registryHostsDir}
	}
	for range cfg.Workers {
		kc.Nodes = append(kc.Nodes, v1alpha4.Node{Role: v1alpha4.WorkerRole, Image: cfg.NodeImage})
	}
	v1alpha4.SetDefaultsCluster(kc)
	return kc
}

// loadImages saves the images once and imports the archive into every node
// concurrently.
func loadImages(ctx context.Context, nodeList []nodes.Node, refs []string) error {
	dir, err := os.MkdirTemp("", "netconform-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	archive := filepath.Join(dir, "images.tar")
	out, err := exec.CommandContext(ctx, "docker", append([]string{"save", "-o", archive}, refs...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("docker save %s: %w: %s", strings.Join(refs, " "), err, out)
	}
	return onEveryNode(nodeList, func(n nodes.Node) error {
		f, err := os.Open(archive)
		if err != nil {
			return err
		}
		defer f.Close()
		return nodeutils.LoadImageArchive(n, f)
	})
}

// Delete removes the kind cluster and its kubeconfig file. Deleting a
// cluster that does not exist is not an error.
func Delete(ctx context.Context, name, kubeconfig string, logf func(string, ...any)) error {
	if name == "" {
		name = DefaultName
	}
	if kubeconfig == "" {
		kubeconfig = DefaultKubeconfig(name)
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	p := provider(logf)
	if err := p.Delete(name, kubeconfig); err != nil {
		// A node whose runc was interrupted mid-start keeps a frozen
		// cgroup that no signal gets through: thaw it and try again.
		thawed, terr := thawNodes(nodeContainers(p, name))
		if len(thawed) == 0 || terr != nil {
			return fmt.Errorf("deleting kind cluster %q: %w", name, errors.Join(err, terr))
		}
		logf("deleting kind cluster %q: thawed %d frozen cgroup(s) in its nodes (%s), trying again", name, len(thawed), strings.Join(thawed, ", "))
		if err := p.Delete(name, kubeconfig); err != nil {
			return fmt.Errorf("deleting kind cluster %q: %w", name, err)
		}
	}
	if err := os.Remove(kubeconfig); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// nodeContainers are the names of the cluster's node containers (none when
// they cannot be listed).
func nodeContainers(p *kindcluster.Provider, name string) []string {
	list, err := p.ListNodes(name)
	if err != nil {
		return nil
	}
	var names []string
	for _, n := range list {
		names = append(names, n.String())
	}
	return names
}
