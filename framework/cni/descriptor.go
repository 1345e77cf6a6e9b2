package cni

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/template"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/e2e-framework/klient/decoder"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
)

//go:embed manifests/*.yaml
var manifests embed.FS

// DefaultPodSubnet is the pod CIDR of the clusters netconform creates,
// unless a CNI's descriptor needs another.
const DefaultPodSubnet = "10.244.0.0/16"

// Descriptor is everything netconform knows of one CNI, in one file per
// CNI: how to recognise its agents on any cluster, what it declares it
// lacks, and, for the CNIs netconform can install, its images, manifest and
// variants.
type Descriptor struct {
	Name    string
	Version string // of what netconform installs ("" for detected-only CNIs)
	// Namespace its agents are installed in.
	Namespace string
	// DaemonSets are the names its agent DaemonSet runs under, in the
	// manifests and operators its project publishes; the first is the one
	// our manifest creates.
	DaemonSets []string
	// ImageMatch is a fragment of the agent image, for when names vary.
	ImageMatch string
	// ConfigMap, in the agent's namespace, holds the CNI's options when
	// its flags do not (Cilium's cilium-config): Detect reads it into
	// Detected.Config for the profile and the policy switch.
	ConfigMap string
	// Profile declares, from the running agent (its flags), the features
	// the CNI lacks and why. Nil: it is held to the whole contract.
	Profile func(Detected) map[feature.Feature]string
	// ServiceProxy, when set, says what load-balances pods' Service
	// traffic instead of kube-proxy ("" when kube-proxy does): for
	// diagnosis, and for the proofs that break kube-proxy.
	ServiceProxy func(Detected) string
	// DiagnosePolicy, when set, says what the CNI's agents make of
	// reachability cells that did not match the policies (for Cilium:
	// each side's endpoint, identity and enforcement, from its agents).
	DiagnosePolicy func(ctx context.Context, cl *kube.Client, d Detected, flows []Flow) string
	// DiagnoseNodePolicy, when set, checks the CNI's agent on one node
	// for what would stop it enforcing NetworkPolicy for that node's pods
	// (kube-router: its firewall flag and policy chains; Cilium: its
	// endpoints' enforcement), before a failure names that node.
	DiagnoseNodePolicy func(ctx context.Context, cl *kube.Client, d Detected, node string) (NodeFinding, error)
	// PolicySwitch turns NetworkPolicy enforcement off and on again, for
	// the Disruptive proof that the policy specs notice; nil when the CNI
	// has no such switch.
	PolicySwitch PolicySwitch

	// What installs it; all empty for a CNI netconform only detects.
	// Images are registered in the images catalog with their recipes.
	Images []images.Image
	// Manifest is a text/template under manifests/. It gets Params,
	// Version, Namespace and PodSubnet, and {{image "name"}} for the
	// reference of an image, remapped to the registry.
	Manifest  string
	Params    map[string]string
	PodSubnet string // DefaultPodSubnet when empty
	// Variants install the same CNI configured otherwise.
	Variants []Variant
	// Match, when set, must also hold for a DaemonSet to be this CNI's
	// agent (e.g. kube-router run as a policy engine only).
	Match func(Detected) bool
	// With names the CNI this one runs beside (its images and manifest go
	// first): a policy engine next to the CNI that routes, as kube-router
	// enforcing NetworkPolicy for Flannel. Detection then needs both
	// agents, and tries such pairs before single CNIs.
	With string
}

// Variant is a CNI installed with other parameters, under its own name.
type Variant struct {
	Name   string
	Params map[string]string // over the descriptor's
}

// PolicySwitch turns a running CNI's NetworkPolicy enforcement off or on
// and returns once its agents run so configured.
type PolicySwitch interface {
	SetPolicy(ctx context.Context, cl *kube.Client, d Detected, enforce bool) error
}

// NodePolicySwitch turns NetworkPolicy enforcement off or on for the pods
// of one node only, the agents of the other nodes untouched: for the
// Disruptive proof that a failure names the node. Switching it on again
// restores exactly the state before.
type NodePolicySwitch interface {
	SetNodePolicy(ctx context.Context, cl *kube.Client, d Detected, node string, enforce bool) error
}

// NodeFinding is what a CNI's agent on one node shows of its policy
// enforcement.
type NodeFinding struct {
	// Fault says what stops the agent enforcing NetworkPolicy there
	// ("" when nothing checked does).
	Fault string
	// Checked says what was looked at, for a finding with no fault.
	Checked string
}

var (
	descriptors = map[string]*Descriptor{}
	installable = map[string]Plugin{}
)

// Register adds a CNI's descriptor, its images and its variants. It panics
// on a duplicate name, a programming error.
func Register(d Descriptor) {
	if _, dup := descriptors[d.Name]; dup {
		panic(fmt.Sprintf("CNI %q registered twice", d.Name))
	}
	if len(d.DaemonSets) == 0 {
		panic(fmt.Sprintf("CNI %q: a descriptor needs the name of its agent DaemonSet", d.Name))
	}
	if d.PodSubnet == "" {
		d.PodSubnet = DefaultPodSubnet
	}
	descriptors[d.Name] = &d
	for _, img := range d.Images {
		if have, err := images.Get(img.Name); err == nil && have.Ref == img.Ref {
			continue // shared with a CNI registered before (a pair's engine)
		}
		images.Register(img)
	}
	if d.Manifest == "" {
		return
	}
	installable[d.Name] = Plugin{Name: d.Name, Descriptor: &d, params: d.Params}
	for _, v := range d.Variants {
		params := maps.Clone(d.Params)
		maps.Copy(params, v.Params)
		installable[v.Name] = Plugin{Name: v.Name, Descriptor: &d, params: params}
	}
}

// Describe returns the descriptor of a CNI by name (as Detect names it).
func Describe(name string) (*Descriptor, bool) {
	d, ok := descriptors[name]
	return d, ok
}

// Plugin is a CNI netconform can install: a descriptor, or a variant of one.
type Plugin struct {
	Name string
	*Descriptor
	params map[string]string
}

// Lookup returns an installable plugin by name.
func Lookup(name string) (Plugin, error) {
	p, ok := installable[name]
	if !ok {
		return Plugin{}, fmt.Errorf("unknown CNI %q; known: %s", name, strings.Join(Known(), ", "))
	}
	return p, nil
}

// Known lists the installable plugins, variants included, sorted.
func Known() []string {
	return slices.Sorted(maps.Keys(installable))
}

// ImageNames are the logical names of the images every node needs,
// those of the CNI it runs beside first.
func (p Plugin) ImageNames() []string {
	var out []string
	if with, err := p.with(); err == nil && with != nil {
		out = with.ImageNames()
	}
	for _, img := range p.Images {
		out = append(out, img.Name)
	}
	return out
}

// with is the plugin this one runs beside, nil when none.
func (p Plugin) with() (*Plugin, error) {
	if p.With == "" {
		return nil, nil
	}
	w, err := Lookup(p.With)
	if err != nil {
		return nil, fmt.Errorf("%s runs beside %s: %w", p.Name, p.With, err)
	}
	return &w, nil
}

// DaemonSet is the agent DaemonSet the manifest creates.
func (p Plugin) DaemonSet() string { return p.DaemonSets[0] }

// Manifest renders the plugin's manifest with image references remapped to
// registry (empty: as built locally).
func (p Plugin) Manifest(registry string) ([]byte, error) {
	raw, err := manifests.ReadFile("manifests/" + p.Descriptor.Manifest)
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"image": func(name string) (string, error) {
		img, err := images.Get(name)
		if err != nil {
			return "", err
		}
		return images.Remap(img.Ref, registry), nil
	}}
	tmpl, err := template.New(p.Name).Funcs(funcs).Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, err
	}
	params := map[string]string{"Version": p.Version, "Namespace": p.Namespace, "PodSubnet": p.PodSubnet}
	maps.Copy(params, p.params)
	var out bytes.Buffer
	with, err := p.with()
	if err != nil {
		return nil, err
	}
	if with != nil {
		m, err := with.Manifest(registry)
		if err != nil {
			return nil, err
		}
		out.Write(m)
		out.WriteString("\n---\n")
	}
	err = tmpl.Execute(&out, params)
	return out.Bytes(), err
}

// Profile is what the plugin declares once installed: its descriptor's
// profile of the agent its manifest runs, flags included.
func (p Plugin) Profile() (feature.Profile, error) {
	m, err := p.Manifest("")
	if err != nil {
		return feature.Profile{}, err
	}
	objs, err := decoder.DecodeAll(context.Background(), bytes.NewReader(m))
	if err != nil {
		return feature.Profile{}, fmt.Errorf("%s manifest: %w", p.Name, err)
	}
	var agent *appsv1.DaemonSet
	var config map[string]string
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.DaemonSet:
			if o.Name == p.DaemonSet() {
				agent = o
			}
		case *corev1.ConfigMap:
			if p.ConfigMap != "" && o.Name == p.ConfigMap {
				config = o.Data
			}
		}
	}
	if agent == nil {
		return feature.Profile{}, fmt.Errorf("%s manifest has no DaemonSet %s", p.Name, p.DaemonSet())
	}
	d := describe(p.Descriptor.Name, *agent, p.ImageMatch)
	d.Config = config
	return ProfileFor(d), nil
}

// Variants lists the installable plugins of one CNI (itself and its
// variants) that lack feature f, or all of them when f is "".
func Variants(cni string, f feature.Feature) ([]string, error) {
	base, err := Lookup(cni)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range Known() {
		p := installable[name]
		if p.Descriptor != base.Descriptor {
			continue
		}
		if f != "" {
			prof, err := p.Profile()
			if err != nil {
				return nil, err
			}
			if _, lacks := prof.Unsupported[f]; !lacks {
				continue
			}
		}
		out = append(out, name)
	}
	return out, nil
}

// ProfileFor returns the profile of a detected CNI, as configured: an
// unknown CNI gets an empty profile, so it is held to everything; a known
// one declares what its descriptor says of the running agent.
func ProfileFor(d Detected) feature.Profile {
	p := feature.Profile{CNI: d.Name, Unsupported: map[feature.Feature]string{}}
	if desc, ok := descriptors[d.Name]; ok && desc.Profile != nil {
		maps.Copy(p.Unsupported, desc.Profile(d))
	}
	return p
}

// ServiceProxyOf says what load-balances the pods' Service traffic on a
// cluster running d, when its CNI does it in place of kube-proxy; "" when
// kube-proxy does (or the CNI is unknown).
func ServiceProxyOf(d Detected) string {
	if desc, ok := descriptors[d.Name]; ok && desc.ServiceProxy != nil {
		return desc.ServiceProxy(d)
	}
	return ""
}

// Profiled lists the CNIs netconform knows, sorted.
func Profiled() []string {
	out := slices.Collect(maps.Keys(descriptors))
	sort.Strings(out)
	return out
}

// withoutPolicy declares every NetworkPolicy feature unsupported for reason.
func withoutPolicy(reason string) map[feature.Feature]string {
	unsupported := map[feature.Feature]string{feature.NetworkPolicy: reason}
	for _, f := range []feature.Feature{feature.NetworkPolicyEgress, feature.IPBlock, feature.NamedPorts, feature.EndPort} {
		unsupported[f] = "no NetworkPolicy: " + reason
	}
	return unsupported
}
