package cni

import (
	"bytes"
	"embed"
	"fmt"
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
	// Images are logical names from the images catalog that every node needs.
	Images []string
	// Selector finds the plugin's node agents in kube-system.
	DaemonSet string
}

var installable = map[string]Plugin{
	"kube-router": {Name: "kube-router", Version: images.KubeRouterVersion, Images: []string{images.KubeRouter}, DaemonSet: "kube-router"},
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
	raw, err := manifests.ReadFile("manifests/" + p.Name + ".yaml")
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(p.Name).Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = tmpl.Execute(&out, map[string]string{
		"Image":   images.Remap(images.Ref(p.Images[0]), registry),
		"Version": p.Version,
	})
	return out.Bytes(), err
}
