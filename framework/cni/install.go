package cni

import (
	"bytes"
	"embed"
	"fmt"
	"maps"
	"sort"
	"strings"
	"text/template"

	"github.com/netconform/netconform/framework/images"
)

//go:embed manifests/*.yaml
var manifests embed.FS

// Plugin is a CNI netconform can install.
type Plugin struct {
	Name    string
	Version string
	// File is the manifest under manifests/ (without .yaml); Params fill
	// its template besides Image and Version. Variants of one CNI share a
	// manifest.
	File   string
	Params map[string]string
	// Images are logical names from the images catalog that every node needs.
	Images []string
	// Selector finds the plugin's node agents in kube-system.
	DaemonSet string
}

var installable = map[string]Plugin{
	"kube-router": {Name: "kube-router", Version: images.KubeRouterVersion, File: "kube-router",
		Params: map[string]string{"Firewall": "true"}, Images: []string{images.KubeRouter}, DaemonSet: "kube-router"},
	// kube-router as a pure router, as deployed next to another policy
	// engine: pods are routed, NetworkPolicy is not enforced. Its profile
	// (from the running flags) makes the policy specs NotSupported.
	"kube-router-nopolicy": {Name: "kube-router-nopolicy", Version: images.KubeRouterVersion, File: "kube-router",
		Params: map[string]string{"Firewall": "false"}, Images: []string{images.KubeRouter}, DaemonSet: "kube-router"},
}

// Lookup returns an installable plugin by name.
func Lookup(name string) (Plugin, error) {
	p, ok := installable[name]
	if !ok {
		return Plugin{}, fmt.Errorf("unknown CNI %q; known: %s", name, strings.Join(Known(), ", "))
	}
	return p, nil
}

// Known lists the installable plugins, sorted.
func Known() []string {
	out := make([]string, 0, len(installable))
	for n := range installable {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Manifest renders the plugin's manifest with image references remapped to
// registry (empty: as built locally).
func (p Plugin) Manifest(registry string) ([]byte, error) {
	raw, err := manifests.ReadFile("manifests/" + p.File + ".yaml")
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(p.Name).Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, err
	}
	params := map[string]string{
		"Image":   images.Remap(images.Ref(p.Images[0]), registry),
		"Version": p.Version,
	}
	maps.Copy(params, p.Params)
	var out bytes.Buffer
	err = tmpl.Execute(&out, params)
	return out.Bytes(), err
}
