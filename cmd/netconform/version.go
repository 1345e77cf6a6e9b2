package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	kindversion "sigs.k8s.io/kind/pkg/cmd/kind/version"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/images"
)

// version is netconform's release, set when a release is built:
// go build -ldflags "-X main.version=v0.1.0". When empty, the Go module
// version and VCS revision the toolchain stamped stand in.
var version = ""

// versions is everything netconform builds and installs, with the version
// of each, read from where it is pinned: the images catalog, the CNI
// descriptors and the add-ons.
type versions struct {
	Netconform string      `json:"netconform"`
	Go         string      `json:"go"`
	Kind       string      `json:"kind"`
	Kubernetes string      `json:"kubernetes"`
	CNIs       []component `json:"cnis"`
	AddOns     []component `json:"addOns"`
	Images     []component `json:"images"`
}

// component is a CNI, an add-on or an image. A CNI's or an add-on's images
// are named in the images list, with their references.
type component struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Ref     string   `json:"ref,omitempty"`
	Images  []string `json:"images,omitempty"`
}

func versionCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print netconform's version and that of every component it builds",
		Long: `Prints netconform's version, the Go and kind it was built with, and the
version of every component it builds and installs: Kubernetes, each CNI,
each add-on (LoadBalancer implementation, Ingress controllers) and every
image, as pinned in this build.`,
		Example: `  netconform version
  netconform version -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := collectVersions()
			if err != nil {
				return err
			}
			switch output {
			case "":
				return v.write(cmd.OutOrStdout())
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			return fmt.Errorf("--output %q: want json, or nothing for a table", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "json, or nothing for a table")
	cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]cobra.Completion{"json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func collectVersions() (versions, error) {
	v := versions{
		Netconform: netconformVersion(),
		Go:         runtime.Version(),
		Kind:       "v" + kindversion.Version(),
		Kubernetes: images.KubernetesVersion,
	}
	for _, name := range cni.Known() {
		p, err := cni.Lookup(name)
		if err != nil {
			return versions{}, err
		}
		version := p.Version
		if p.With != "" {
			// A policy engine beside the CNI that routes: both versions.
			with, err := cni.Lookup(p.With)
			if err != nil {
				return versions{}, err
			}
			version += " with " + with.Name + " " + with.Version
		}
		v.CNIs = append(v.CNIs, component{Name: name, Version: version, Images: p.ImageNames()})
	}
	for _, name := range cluster.KnownAddOns() {
		addOns, err := cluster.LookupAddOns(name)
		if err != nil {
			return versions{}, err
		}
		imgs := addOns[0].Images()
		tags, err := imageTags(imgs)
		if err != nil {
			return versions{}, fmt.Errorf("add-on %s: %w", name, err)
		}
		v.AddOns = append(v.AddOns, component{Name: name, Version: tags, Images: imgs})
	}
	for _, name := range images.Names() {
		img, err := images.Get(name)
		if err != nil {
			return versions{}, err
		}
		v.Images = append(v.Images, component{Name: name, Version: tagOf(img.Ref), Ref: img.Ref})
	}
	return v, nil
}

// netconformVersion is the release set at build time, else the module
// version Go stamped (a tag, or a pseudo-version) with the VCS revision,
// else "devel".
func netconformVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return stampedVersion(info)
}

func stampedVersion(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	// A pseudo-version names its revision already.
	if short := revision[:min(12, len(revision))]; short != "" && !strings.Contains(v, short) {
		v += " (" + short
		if modified == "true" {
			v += ", modified"
		}
		v += ")"
	}
	return v
}

// imageTags is the version of a set of images: their tags, each once.
func imageTags(names []string) (string, error) {
	var tags []string
	for _, n := range names {
		img, err := images.Get(n)
		if err != nil {
			return "", err
		}
		if t := tagOf(img.Ref); !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return strings.Join(tags, ", "), nil
}

// tagOf is a reference's tag: "v1.12.1" of registry.k8s.io/coredns/coredns:v1.12.1.
func tagOf(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	last := ref[strings.LastIndex(ref, "/")+1:]
	if _, tag, ok := strings.Cut(last, ":"); ok {
		return tag
	}
	return "latest"
}

func (v versions) write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "netconform\t%s\nGo\t%s\nkind\t%s\nKubernetes\t%s\n", v.Netconform, v.Go, v.Kind, v.Kubernetes)
	fmt.Fprintf(tw, "\nCNI\tVERSION\tIMAGES\n")
	for _, c := range v.CNIs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Version, strings.Join(c.Images, ", "))
	}
	fmt.Fprintf(tw, "\nADD-ON\tVERSION\tIMAGES\n")
	for _, c := range v.AddOns {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Version, strings.Join(c.Images, ", "))
	}
	fmt.Fprintf(tw, "\nIMAGE\tVERSION\tREFERENCE\n")
	for _, c := range v.Images {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Version, c.Ref)
	}
	return tw.Flush()
}
