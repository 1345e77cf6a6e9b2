package main

import (
	"context"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/netconform/netconform/framework/images"
)

func imagesCommand() *cobra.Command {
	return group("images", "Build, push and name the images netconform runs",
		imagesBuildCommand(), imagesPushCommand(), imagesRefCommand())
}

func imagesBuildCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "build [NAME...]",
		Short: "Build images offline into the local Docker engine",
		Long: `Builds images from Go modules and Debian packages into the local Docker
engine, skipping those already built from the same recipe. Without names:
every image but those built only on demand (a CNI's, when a cluster needs it).`,
		Example: `  netconform images build
  netconform images build agent kube-router`,
		ValidArgsFunction: completeFrom(images.Names),
		RunE: func(cmd *cobra.Command, names []string) error {
			return imagesBuild(cmd.Context(), names)
		},
	}
}

func newBuilder() (*images.Builder, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root, err := images.FindRepoRoot(wd)
	if err != nil {
		return nil, err
	}
	return &images.Builder{RepoRoot: root, CacheDir: images.DefaultCacheDir(),
		DebianMirror: os.Getenv("NETCONFORM_DEBIAN_MIRROR"), Log: logf}, nil
}

func imagesBuild(ctx context.Context, names []string) error {
	b, err := newBuilder()
	if err != nil {
		return err
	}
	start := time.Now()
	err = b.Build(ctx, names...)
	reportTimings(b, start)
	return err
}

func reportTimings(b *images.Builder, start time.Time) {
	for _, t := range b.Timings() {
		logf("timing %-55s %s", t.Step, t.Duration.Round(100*time.Millisecond))
	}
	logf("images ready in %s", time.Since(start).Round(100*time.Millisecond))
}
