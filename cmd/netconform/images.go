package main

import (
	"context"
	"os"
	"time"

	"github.com/netconform/netconform/framework/images"
)

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

func imagesBuild(ctx context.Context, args []string) error {
	fs := newFlags("images build")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := newBuilder()
	if err != nil {
		return err
	}
	start := time.Now()
	err = b.Build(ctx, fs.Args()...)
	reportTimings(b, start)
	return err
}

func reportTimings(b *images.Builder, start time.Time) {
	for _, t := range b.Timings() {
		logf("timing %-55s %s", t.Step, t.Duration.Round(100*time.Millisecond))
	}
	logf("images ready in %s", time.Since(start).Round(100*time.Millisecond))
}
