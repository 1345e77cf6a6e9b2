package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/registry"
)

// envImageRegistry is the environment's -image-registry, as for the suites.
const envImageRegistry = "NETCONFORM_IMAGE_REGISTRY"

// imagesPushCommand copies the images the suites start to a registry, for
// clusters that pull from it (an air-gapped site's, or our own test
// registry).
func imagesPushCommand() *cobra.Command {
	var plain bool
	cmd := &cobra.Command{
		Use:   "push [NAME...]",
		Short: "Push the images the suites start to a registry",
		Long: "Pushes from the local Docker engine the images the suites start (default: " + strings.Join(images.RunImages, ", ") + `)
to a registry; the suites then run with -image-registry set to it.`,
		Example:           `  netconform images push --registry registry.example:5000`,
		ValidArgsFunction: completeFrom(images.Names),
	}
	reg := cmd.Flags().String("registry", os.Getenv(envImageRegistry), "registry to push to, host[:port][/path] (also $"+envImageRegistry+"); the suites then run with -image-registry set to it")
	cmd.Flags().BoolVar(&plain, "plain-http", false, "talk plain HTTP to the registry (automatic for localhost and private addresses)")
	cmd.RunE = func(cmd *cobra.Command, names []string) error {
		return imagesPush(cmd.Context(), *reg, plain, names)
	}
	return cmd
}

func imagesPush(ctx context.Context, reg string, plain bool, names []string) error {
	if reg == "" {
		return fmt.Errorf("images push: --registry is required")
	}
	start := time.Now()
	pushed, err := registry.Push(ctx, reg, names, registry.PushOptions{PlainHTTP: plain, Log: logf})
	if err != nil {
		return err
	}
	logf("pushed %d images to %s in %s; run the suites with -image-registry %s", len(pushed), reg, time.Since(start).Round(100*time.Millisecond), reg)
	return nil
}

// imagesRefCommand prints the references images are run as: scripts and
// workflows ask instead of spelling them out.
func imagesRefCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ref [NAME...]",
		Short: "Print the references images run as, one a line",
		Example: `  netconform images ref agent
  netconform images ref --image-registry registry.example:5000`,
		ValidArgsFunction: completeFrom(images.Names),
	}
	reg := cmd.Flags().String("image-registry", os.Getenv(envImageRegistry), "print them as moved to this registry (also $"+envImageRegistry+")")
	cmd.RunE = func(cmd *cobra.Command, names []string) error {
		return imagesRef(cmd.OutOrStdout(), *reg, names)
	}
	return cmd
}

func imagesRef(w io.Writer, reg string, names []string) error {
	if len(names) == 0 {
		names = images.Names()
	}
	for _, n := range names {
		img, err := images.Get(n)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, images.Remap(img.Ref, reg))
	}
	return nil
}

func registryCommand() *cobra.Command {
	return group("registry", "Start or remove a registry on the kind network",
		registryUpCommand(), registryDownCommand())
}

func registryUpCommand() *cobra.Command {
	opts := registry.Options{Log: logf}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start a registry (Distribution) on the kind network and print its address",
		Long: `Starts a registry (Distribution, built by netconform images build) on the
kind network, so that nodes pull from it, and prints its address alone on
standard output.`,
		Example: `  reg=$(netconform registry up)
  netconform images push --registry "$reg"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return registryUp(cmd.Context(), cmd.OutOrStdout(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", registry.DefaultName, "registry container name")
	cmd.Flags().StringVar(&opts.Network, "network", registry.DefaultNetwork, "Docker network to join (kind's, so that nodes reach it)")
	return cmd
}

func registryUp(ctx context.Context, w io.Writer, opts registry.Options) error {
	start := time.Now()
	addr, err := registry.Up(ctx, opts)
	if err != nil {
		return err
	}
	logf("registry up in %s", time.Since(start).Round(100*time.Millisecond))
	// The address alone on stdout, for scripts: reg=$(netconform registry up).
	fmt.Fprintln(w, addr)
	return nil
}

func registryDownCommand() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Remove the registry and its storage",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return registry.Down(cmd.Context(), name)
		},
	}
	cmd.Flags().StringVar(&name, "name", registry.DefaultName, "registry container name")
	return cmd
}
