package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	// The add-ons (Ingress controllers, MetalLB) register themselves and
	// their images.
	_ "github.com/netconform/netconform/framework/addon"
	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/timeouts"

	// The registry image is in the catalog: images build, registry up.
	_ "github.com/netconform/netconform/framework/registry"
)

func clusterCommand() *cobra.Command {
	return group("cluster", "Create and delete kind clusters with a chosen CNI",
		clusterUpCommand(), clusterDownCommand(), clusterKubeconfigCommand())
}

// clusterUpOptions are cluster up's flags besides the cluster's own Config.
type clusterUpOptions struct {
	addOns        string
	imageRegistry string
	build         bool
	timeouts      string
	timeoutFactor float64
}

func clusterUpCommand() *cobra.Command {
	cfg := cluster.Config{Log: logf}
	var o clusterUpOptions
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create (or reuse) a kind cluster with a CNI and add-ons",
		Long: `Creates a kind cluster whose nodes run the chosen CNI, installs the add-ons
(a LoadBalancer implementation, Ingress controllers) and checks the cluster
end to end before returning. Missing or outdated images are built first.`,
		Example: `  netconform cluster up --cni kube-router --addons metallb,traefik,haproxy
  netconform cluster up --name nc --cni cilium --reuse`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return clusterUp(cmd.Context(), cfg, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Name, "name", cluster.DefaultName, "kind cluster name")
	f.StringVar(&cfg.CNI, "cni", cluster.DefaultCNI, "CNI to install ("+strings.Join(cni.Known(), ", ")+")")
	f.StringVar(&o.addOns, "addons", "", "add-ons to install after the CNI, comma-separated (an Ingress controller, a LoadBalancer implementation)")
	f.IntVar(&cfg.Workers, "workers", cluster.DefaultWorkers, "worker nodes besides the control plane")
	f.StringVar(&cfg.Kubeconfig, "kubeconfig", "", "where to write the kubeconfig (default "+cluster.DefaultKubeconfig("NAME")+")")
	f.BoolVar(&cfg.Reuse, "reuse", false, "reuse a cluster of the same name, after checking it end to end")
	f.BoolVar(&cfg.Retain, "retain", false, "keep the nodes of a failed creation for debugging")
	f.StringVar(&cfg.Registry, "registry", "", "plain-HTTP registry (host:port) the nodes pull from; the suites' images are then not loaded into the nodes but pulled from it (push them first: netconform images push)")
	f.StringVar(&o.imageRegistry, "image-registry", os.Getenv(envImageRegistry), "registry the cross-node check's agent pods pull from (default: --registry; also $"+envImageRegistry+")")
	f.BoolVar(&o.build, "build", true, "build missing or outdated images first")
	f.StringVar(&o.timeouts, "timeouts", "", "override named timeouts, e.g. nodesReady=5m (names: "+strings.Join(timeouts.Names(), ", ")+")")
	f.Float64Var(&o.timeoutFactor, "timeout-factor", 0, "multiply every timeout by this factor")
	cmd.RegisterFlagCompletionFunc("cni", completeFrom(cni.Known))
	cmd.RegisterFlagCompletionFunc("addons", completeList(cluster.KnownAddOns))
	return cmd
}

func clusterUp(ctx context.Context, cfg cluster.Config, o clusterUpOptions) error {
	if err := timeouts.Override(o.timeouts, o.timeoutFactor); err != nil {
		return err
	}
	if o.imageRegistry == "" {
		o.imageRegistry = cfg.Registry
	}
	if err := images.SetRegistry(o.imageRegistry); err != nil {
		return err
	}
	if o.addOns != "" {
		var err error
		if cfg.AddOns, err = cluster.LookupAddOns(strings.Split(o.addOns, ",")...); err != nil {
			return err
		}
	}
	start := time.Now()
	if o.build {
		b, err := newBuilder()
		if err != nil {
			return err
		}
		plugin, err := cni.Lookup(cfg.CNI)
		if err != nil {
			return err
		}
		// The default images, and the CNI's own when they are built only
		// on demand.
		if err := b.Build(ctx, append(images.Defaults(), plugin.ImageNames()...)...); err != nil {
			return err
		}
		reportTimings(b, start)
	}
	up := time.Now()
	c, err := cluster.Create(ctx, cfg)
	if err != nil {
		return err
	}
	for _, s := range c.Timings {
		logf("timing %-30s %s", s.Name, s.Duration.Round(100*time.Millisecond))
	}
	logf("cluster %q ready in %s (%s with image checks); kubeconfig: %s", c.Name,
		time.Since(up).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond), c.Kubeconfig)
	return nil
}

func clusterDownCommand() *cobra.Command {
	var name, kubeconfig string
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete a kind cluster",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cluster.Delete(cmd.Context(), name, kubeconfig, logf)
		},
	}
	cmd.Flags().StringVar(&name, "name", cluster.DefaultName, "kind cluster name")
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig written by cluster up")
	return cmd
}

func clusterKubeconfigCommand() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "kubeconfig",
		Short:   "Print where a cluster's kubeconfig is",
		Example: `  export KUBECONFIG=$(netconform cluster kubeconfig --name nc)`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), cluster.DefaultKubeconfig(name))
			return err
		},
	}
	cmd.Flags().StringVar(&name, "name", cluster.DefaultName, "kind cluster name")
	return cmd
}

func cniCommand() *cobra.Command {
	return group("cni", "List the CNIs netconform installs",
		cniListCommand(), cniVariantsCommand())
}

// cniListCommand prints the installable CNIs (variants included), one a
// line: the CI matrix takes its rows from it.
func cniListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the installable CNIs and their variants, one a line",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printLines(cmd.OutOrStdout(), cni.Known())
		},
	}
}

// cniVariantsCommand prints the installable variants of a CNI, one a line,
// those lacking a feature with --without: scripts ask which variant to
// install instead of naming it.
func cniVariantsCommand() *cobra.Command {
	var without string
	cmd := &cobra.Command{
		Use:   "variants CNI",
		Short: "List a CNI's installable variants, one a line",
		Example: `  # the variant of kube-router that does not enforce NetworkPolicy
  netconform cni variants --without NetworkPolicy kube-router`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("usage: netconform cni variants [--without FEATURE] CNI (known: %s)", strings.Join(cni.Known(), ", "))
			}
			return nil
		},
		ValidArgsFunction: completeFrom(cni.Known),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cniVariants(cmd.OutOrStdout(), args[0], without)
		},
	}
	cmd.Flags().StringVar(&without, "without", "", "only the variants whose profile lacks this feature (e.g. NetworkPolicy)")
	cmd.RegisterFlagCompletionFunc("without", completeFrom(featureNames))
	return cmd
}

func cniVariants(w io.Writer, name, without string) error {
	var f feature.Feature
	if without != "" {
		var err error
		if f, err = feature.Lookup(without); err != nil {
			return err
		}
	}
	names, err := cni.Variants(name, f)
	if err != nil {
		return err
	}
	return printLines(w, names)
}

func featureNames() []string {
	var out []string
	for _, f := range feature.All() {
		out = append(out, f.String())
	}
	return out
}

func printLines(w io.Writer, lines []string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}
