package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/registry"
)

// envImageRegistry is the environment's -image-registry, as for the suites.
const envImageRegistry = "NETCONFORM_IMAGE_REGISTRY"

// imagesPush copies the images the suites start to a registry, for
// clusters that pull from it (an air-gapped site's, or our own test
// registry).
func imagesPush(ctx context.Context, args []string) error {
	fs := newFlags("images push")
	reg := fs.String("registry", os.Getenv(envImageRegistry), "registry to push to, host[:port][/path] (also $"+envImageRegistry+"); the suites then run with -image-registry set to it")
	plain := fs.Bool("plain-http", false, "talk plain HTTP to the registry (automatic for localhost and private addresses)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netconform images push --registry R [--plain-http] [NAME...]\n\npushes from the local Docker engine the images the suites start (default: %s)\n", strings.Join(images.RunImages, ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *reg == "" {
		return fmt.Errorf("images push: --registry is required")
	}
	start := time.Now()
	pushed, err := registry.Push(ctx, *reg, fs.Args(), registry.PushOptions{PlainHTTP: *plain, Log: logf})
	if err != nil {
		return err
	}
	logf("pushed %d images to %s in %s; run the suites with -image-registry %s", len(pushed), *reg, time.Since(start).Round(100*time.Millisecond), *reg)
	return nil
}

// imagesRef prints the references images are run as: scripts and
// workflows ask instead of spelling them out.
func imagesRef(args []string) error {
	fs := newFlags("images ref")
	reg := fs.String("image-registry", os.Getenv(envImageRegistry), "print them as moved to this registry (also $"+envImageRegistry+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	names := fs.Args()
	if len(names) == 0 {
		names = images.Names()
	}
	for _, n := range names {
		img, err := images.Get(n)
		if err != nil {
			return err
		}
		fmt.Println(images.Remap(img.Ref, *reg))
	}
	return nil
}

func registryUp(ctx context.Context, args []string) error {
	fs := newFlags("registry up")
	opts := registry.Options{Log: logf}
	fs.StringVar(&opts.Name, "name", registry.DefaultName, "registry container name")
	fs.StringVar(&opts.Network, "network", registry.DefaultNetwork, "Docker network to join (kind's, so that nodes reach it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	addr, err := registry.Up(ctx, opts)
	if err != nil {
		return err
	}
	logf("registry up in %s", time.Since(start).Round(100*time.Millisecond))
	// The address alone on stdout, for scripts: reg=$(netconform registry up).
	fmt.Println(addr)
	return nil
}

func registryDown(ctx context.Context, args []string) error {
	fs := newFlags("registry down")
	name := fs.String("name", registry.DefaultName, "registry container name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return registry.Down(ctx, *name)
}
