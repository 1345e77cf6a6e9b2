package images

import (
	"fmt"
	"strings"
	"sync"
)

// RunImages are the images the suites and preflight start in the cluster
// under test (every pod a spec creates runs one of them): what a cluster
// we did not build must be able to pull, and what `netconform images
// push` copies to a user's registry.
var RunImages = []string{Agent, NetTools}

var (
	registryMu sync.RWMutex
	registry   string
)

// SetRegistry makes RunRef move every image a run starts to registry
// (host[:port][/path]); "" restores the catalog's own references. It is
// process-wide, like the flags it comes from (-image-registry,
// NETCONFORM_IMAGE_REGISTRY): each parallel Ginkgo process parses the same
// flags. Building images and clusters never uses it: those keep the
// catalog's references, which kubeadm and our manifests expect.
func SetRegistry(r string) error {
	r = strings.TrimSuffix(strings.TrimSpace(r), "/")
	if err := ValidRegistry(r); err != nil {
		return err
	}
	registryMu.Lock()
	registry = r
	registryMu.Unlock()
	return nil
}

// Registry is the registry set by SetRegistry ("" for none).
func Registry() string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return registry
}

// RunRef is the reference a pod runs the image name as: the catalog's,
// moved to the registry of SetRegistry when one is set. It panics on an
// unknown name, a programming error.
func RunRef(name string) string {
	return Remap(Ref(name), Registry())
}

// ValidRegistry checks a registry given as host[:port][/path], without a
// scheme, tag or digest: the mistakes a user makes with the flag
// ("http://reg:5000", "reg:5000/agent:1") are refused before any pod is
// created with a reference containerd cannot parse.
func ValidRegistry(r string) error {
	if r == "" {
		return nil
	}
	if strings.Contains(r, "://") {
		return fmt.Errorf("image registry %q: give host[:port][/path], without a scheme (plain HTTP is configured on the nodes, not in references)", r)
	}
	host, path, _ := strings.Cut(r, "/")
	if host == "" || strings.ContainsAny(r, " @\t") {
		return fmt.Errorf("image registry %q: want host[:port][/path]", r)
	}
	if h, port, ok := strings.Cut(host, ":"); ok && (h == "" || port == "" || strings.Trim(port, "0123456789") != "") {
		return fmt.Errorf("image registry %q: the port of %q is not a number", r, host)
	}
	if strings.Contains(path, ":") {
		return fmt.Errorf("image registry %q: a registry has no tag; images keep their own tags", r)
	}
	if !strings.ContainsAny(host, ".:") && host != "localhost" {
		// Remap would produce "host/netconform/agent:…", which every
		// container runtime reads as a repository of Docker Hub.
		return fmt.Errorf("image registry %q: a registry host needs a dot or a port (e.g. %s:5000; Docker Hub is docker.io/%s)", r, host, r)
	}
	return nil
}
