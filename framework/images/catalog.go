package images

import (
	"fmt"
	"sort"
	"strings"
)

// Pinned versions of everything netconform builds.
const (
	KubernetesVersion = "v1.34.4"
	EtcdVersion       = "3.6.5"
	CoreDNSVersion    = "v1.12.1"
	PauseVersion      = "3.10.1"
	KubeRouterVersion = "v2.1.0"
	AgentVersion      = "0.1.0"
	DebianSuite       = "bookworm"
)

// Logical image names.
const (
	KubeAPIServer         = "kube-apiserver"
	KubeControllerManager = "kube-controller-manager"
	KubeScheduler         = "kube-scheduler"
	KubeProxy             = "kube-proxy"
	Etcd                  = "etcd"
	CoreDNS               = "coredns"
	Pause                 = "pause"
	KubeRouter            = "kube-router"
	Agent                 = "agent"
	NetTools              = "nettools"
	Node                  = "node"
)

// Image is one entry of the catalog.
type Image struct {
	Name string // logical name, e.g. "kube-apiserver"
	Ref  string // the reference it is tagged and run as
}

// catalog holds every image, tagged exactly as kubeadm (for the control plane)
// and our manifests expect.
var catalog = map[string]Image{
	KubeAPIServer:         {KubeAPIServer, "registry.k8s.io/kube-apiserver:" + KubernetesVersion},
	KubeControllerManager: {KubeControllerManager, "registry.k8s.io/kube-controller-manager:" + KubernetesVersion},
	KubeScheduler:         {KubeScheduler, "registry.k8s.io/kube-scheduler:" + KubernetesVersion},
	KubeProxy:             {KubeProxy, "registry.k8s.io/kube-proxy:" + KubernetesVersion},
	Etcd:                  {Etcd, "registry.k8s.io/etcd:" + EtcdVersion + "-0"},
	CoreDNS:               {CoreDNS, "registry.k8s.io/coredns/coredns:" + CoreDNSVersion},
	Pause:                 {Pause, "registry.k8s.io/pause:" + PauseVersion},
	KubeRouter:            {KubeRouter, "docker.io/netconform/kube-router:" + KubeRouterVersion},
	Agent:                 {Agent, "docker.io/netconform/agent:" + AgentVersion},
	NetTools:              {NetTools, "docker.io/netconform/nettools:" + DebianSuite},
	Node:                  {Node, "docker.io/netconform/node:" + KubernetesVersion},
}

// Get returns the catalog entry of a logical name.
func Get(name string) (Image, error) {
	img, ok := catalog[name]
	if !ok {
		return Image{}, fmt.Errorf("unknown image %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return img, nil
}

// Ref returns the reference of a logical name; it panics on an unknown name,
// which is a programming error.
func Ref(name string) string {
	img, err := Get(name)
	if err != nil {
		panic(err)
	}
	return img.Ref
}

// Names lists the logical names, sorted.
func Names() []string {
	out := make([]string, 0, len(catalog))
	for n := range catalog {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Preloaded are the images baked into the node image: what kubeadm starts
// before any image could be loaded.
var Preloaded = []string{KubeAPIServer, KubeControllerManager, KubeScheduler, KubeProxy, Etcd, CoreDNS, Pause}

// Remap moves a reference to another registry, keeping its repository path:
// Remap("registry.k8s.io/pause:3.10.1", "mirror.example:5000") is
// "mirror.example:5000/pause:3.10.1". An empty registry keeps the reference.
func Remap(ref, registry string) string {
	if registry == "" {
		return ref
	}
	path := ref
	if first, rest, ok := strings.Cut(ref, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		path = rest
	}
	return strings.TrimSuffix(registry, "/") + "/" + path
}
