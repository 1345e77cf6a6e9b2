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
	Agent                 = "agent"
	NetTools              = "nettools"
	Node                  = "node"
)

// Image is one entry of the catalog.
type Image struct {
	Name string // logical name, e.g. "kube-apiserver"
	Ref  string // the reference it is tagged and run as
	// Recipe builds an image registered from outside this package (a CNI's
	// agent, an Ingress controller); the core images' recipes live here.
	Recipe *GoImage
	// OnDemand keeps the image out of what is built when no image is named
	// (`netconform images build`, which CI runs): it is built only when
	// named, or for a cluster whose CNI needs it. For images whose cold
	// build costs more than the rows that would use them can afford.
	OnDemand bool
}

// GoImage is an image of one Go binary built from a wrapper module under
// build/ (a go.mod that pins the upstream module), on scratch or on the
// Debian network base.
type GoImage struct {
	Module  string // the wrapper module's directory, e.g. "build/kube-router"
	Package string // the main package to build
	Binary  string // the file the build produces (the package's last element)
	// Packages are further main packages built with Package in the same
	// `go build` (one compilation of their shared dependencies), each in
	// the build context under its binary's name (its last element).
	Packages []string
	LDFlags  string
	// Tags are the build tags, comma-separated.
	Tags string
	// CGO builds with cgo, for programs with C parts; the binary then
	// needs glibc, so only on a Debian base (OnNetBase or Debian).
	CGO bool
	// OnNetBase builds FROM the Debian image with iptables, ipset,
	// iproute2 and conntrack instead of scratch.
	OnNetBase bool
	// Debian lists the Debian packages the program runs besides its
	// binary (a proxy it drives, a shell for its scripts): the image is
	// then built FROM a Debian root filesystem of its own with them (and
	// the network base's tools too, with OnNetBase).
	Debian []string
	// ModuleDirs are directories of modules the wrapper requires (at the
	// version its go.mod pins), taken from the module cache at build time
	// into the build context under their own path: files a program needs
	// next to its binary (templates, scripts), never copied into this
	// repository. Module cache files are read-only and carry no exec bit.
	ModuleDirs []ModuleDir
	// Dockerfile follows FROM; the binary is "bin" in the build context.
	Dockerfile string
}

// ModuleDir is one directory of a module, e.g. the "rootfs" of
// github.com/jcmoraisjr/haproxy-ingress.
type ModuleDir struct {
	Module string
	Dir    string // relative to the module's root; its name in the build context
}

// catalog holds every image, tagged exactly as kubeadm (for the control plane)
// and our manifests expect. The agent's is what the release workflow
// (.github/workflows/release.yml) publishes, multi-arch, so that a cluster
// with internet access pulls it with no setup.
var catalog = map[string]Image{
	KubeAPIServer:         {Name: KubeAPIServer, Ref: "registry.k8s.io/kube-apiserver:" + KubernetesVersion},
	KubeControllerManager: {Name: KubeControllerManager, Ref: "registry.k8s.io/kube-controller-manager:" + KubernetesVersion},
	KubeScheduler:         {Name: KubeScheduler, Ref: "registry.k8s.io/kube-scheduler:" + KubernetesVersion},
	KubeProxy:             {Name: KubeProxy, Ref: "registry.k8s.io/kube-proxy:" + KubernetesVersion},
	Etcd:                  {Name: Etcd, Ref: "registry.k8s.io/etcd:" + EtcdVersion + "-0"},
	CoreDNS:               {Name: CoreDNS, Ref: "registry.k8s.io/coredns/coredns:" + CoreDNSVersion},
	Pause:                 {Name: Pause, Ref: "registry.k8s.io/pause:" + PauseVersion},
	Agent:                 {Name: Agent, Ref: "ghcr.io/netconform/agent:" + AgentVersion},
	NetTools:              {Name: NetTools, Ref: "docker.io/netconform/nettools:" + DebianSuite},
	Node:                  {Name: Node, Ref: "docker.io/netconform/node:" + KubernetesVersion},
}

// Register adds an image with its recipe to the catalog: a CNI descriptor
// or an add-on registers the images it needs, at init. It panics on a
// duplicate name or a missing recipe, programming errors.
func Register(img Image) {
	if _, dup := catalog[img.Name]; dup {
		panic(fmt.Sprintf("image %q registered twice", img.Name))
	}
	if img.Name == "" || img.Ref == "" || img.Recipe == nil || img.Recipe.Module == "" || img.Recipe.Package == "" {
		panic(fmt.Sprintf("image %q: a registered image needs a name, a reference and a recipe (module and package)", img.Name))
	}
	if img.Recipe.CGO && !img.Recipe.OnNetBase && len(img.Recipe.Debian) == 0 {
		panic(fmt.Sprintf("image %q: a cgo binary needs glibc: build it OnNetBase or on Debian packages", img.Name))
	}
	catalog[img.Name] = img
}

// Defaults lists the images built when none is named, sorted: every
// image but the OnDemand ones.
func Defaults() []string {
	var out []string
	for _, n := range Names() {
		if !catalog[n].OnDemand {
			out = append(out, n)
		}
	}
	return out
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
