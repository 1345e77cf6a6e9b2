package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

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

func clusterUp(ctx context.Context, args []string) error {
	fs := newFlags("cluster up")
	cfg := cluster.Config{Log: logf}
	fs.StringVar(&cfg.Name, "name", cluster.DefaultName, "kind cluster name")
	fs.StringVar(&cfg.CNI, "cni", cluster.DefaultCNI, "CNI to install ("+strings.Join(cni.Known(), ", ")+")")
	addOns := fs.String("addons", "", "add-ons to install after the CNI, comma-separated (an Ingress controller, a LoadBalancer implementation)")
	fs.IntVar(&cfg.Workers, "workers", cluster.DefaultWorkers, "worker nodes besides the control plane")
	fs.StringVar(&cfg.Kubeconfig, "kubeconfig", "", "where to write the kubeconfig (default "+cluster.DefaultKubeconfig("NAME")+")")
	fs.BoolVar(&cfg.Reuse, "reuse", false, "reuse a cluster of the same name, after checking it end to end")
	fs.BoolVar(&cfg.Retain, "retain", false, "keep the nodes of a failed creation for debugging")
	fs.StringVar(&cfg.Registry, "registry", "", "plain-HTTP registry (host:port) the nodes pull from; the suites' images are then not loaded into the nodes but pulled from it (push them first: netconform images push)")
	imageRegistry := fs.String("image-registry", os.Getenv(envImageRegistry), "registry the cross-node check's agent pods pull from (default: --registry; also $"+envImageRegistry+")")
	build := fs.Bool("build", true, "build missing or outdated images first")
	timeoutSpec := fs.String("timeouts", "", "override named timeouts, e.g. nodesReady=5m (names: "+strings.Join(timeouts.Names(), ", ")+")")
	factor := fs.Float64("timeout-factor", 0, "multiply every timeout by this factor")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := timeouts.Override(*timeoutSpec, *factor); err != nil {
		return err
	}
	if *imageRegistry == "" {
		*imageRegistry = cfg.Registry
	}
	if err := images.SetRegistry(*imageRegistry); err != nil {
		return err
	}
	if *addOns != "" {
		var err error
		if cfg.AddOns, err = cluster.LookupAddOns(strings.Split(*addOns, ",")...); err != nil {
			return err
		}
	}
	start := time.Now()
	if *build {
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

func clusterDown(ctx context.Context, args []string) error {
	fs := newFlags("cluster down")
	name := fs.String("name", cluster.DefaultName, "kind cluster name")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig written by cluster up")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return cluster.Delete(ctx, *name, *kubeconfig, logf)
}

func clusterKubeconfig(args []string) error {
	fs := newFlags("cluster kubeconfig")
	name := fs.String("name", cluster.DefaultName, "kind cluster name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Println(cluster.DefaultKubeconfig(*name))
	return nil
}

// cniList prints the installable CNIs (variants included), one a line.
func cniList(args []string) error {
	fs := newFlags("cni list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, n := range cni.Known() {
		fmt.Println(n)
	}
	return nil
}

// cniVariants prints the installable variants of a CNI, one a line, those
// lacking a feature with --without: scripts ask which variant to install
// instead of naming it.
func cniVariants(args []string) error {
	fs := newFlags("cni variants")
	without := fs.String("without", "", "only the variants whose profile lacks this feature (e.g. NetworkPolicy)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: netconform cni variants [--without FEATURE] CNI (known: %s)", strings.Join(cni.Known(), ", "))
	}
	var f feature.Feature
	if *without != "" {
		var err error
		if f, err = feature.Lookup(*without); err != nil {
			return err
		}
	}
	names, err := cni.Variants(fs.Arg(0), f)
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Println(n)
	}
	return nil
}
