package registry

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/netconform/netconform/framework/images"
)

// PushOptions tune Push.
type PushOptions struct {
	// PlainHTTP talks HTTP to the registry instead of HTTPS (a registry
	// on a private address is reached over HTTP anyway).
	PlainHTTP bool
	Log       func(format string, args ...any)
}

// Pushed is one image Push copied.
type Pushed struct {
	Name, Ref, Digest string
	Took              time.Duration
}

// Push copies images (logical names; images.RunImages when none) from the
// local Docker engine to registry, each under the path images.Remap gives
// it, which is what -image-registry then runs. Credentials come from the
// Docker configuration (docker login), as for docker push.
func Push(ctx context.Context, registry string, names []string, opts PushOptions) ([]Pushed, error) {
	if opts.Log == nil {
		opts.Log = func(string, ...any) {}
	}
	if registry == "" {
		return nil, fmt.Errorf("no registry to push to")
	}
	if err := images.ValidRegistry(registry); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		names = images.RunImages
	}
	dir, err := os.MkdirTemp("", "netconform-push-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var nameOpts []name.Option
	if opts.PlainHTTP {
		nameOpts = append(nameOpts, name.Insecure)
	}
	var done []Pushed
	for _, n := range names {
		img, err := images.Get(n)
		if err != nil {
			return done, err
		}
		start := time.Now()
		dst := images.Remap(img.Ref, registry)
		p, err := pushOne(ctx, img.Ref, dst, filepath.Join(dir, n+".tar"), nameOpts)
		if err != nil {
			return done, fmt.Errorf("pushing %s to %s: %w", img.Ref, dst, err)
		}
		p.Name, p.Took = n, time.Since(start)
		opts.Log("pushed %s as %s (%s) in %s", img.Ref, dst, p.Digest, p.Took.Round(100*time.Millisecond))
		done = append(done, p)
	}
	return done, nil
}

// pushOne saves src from the Docker engine and writes it to dst.
func pushOne(ctx context.Context, src, dst, archive string, nameOpts []name.Option) (Pushed, error) {
	if out, err := exec.CommandContext(ctx, "docker", "save", "-o", archive, src).CombinedOutput(); err != nil {
		return Pushed{}, fmt.Errorf("docker save %s (build it first: netconform images build): %w: %s", src, err, strings.TrimSpace(string(out)))
	}
	return pushArchive(ctx, archive, src, dst, nameOpts)
}

// pushArchive writes the image src of a `docker save` archive to dst.
func pushArchive(ctx context.Context, archive, src, dst string, nameOpts []name.Option) (Pushed, error) {
	tag, err := name.NewTag(dst, nameOpts...)
	if err != nil {
		return Pushed{}, err
	}
	srcTag, err := name.NewTag(src)
	if err != nil {
		return Pushed{}, err
	}
	img, err := tarball.ImageFromPath(archive, &srcTag)
	if err != nil {
		return Pushed{}, fmt.Errorf("reading the saved image: %w", err)
	}
	if err := remote.Write(tag, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		return Pushed{}, err
	}
	digest, err := img.Digest()
	if err != nil {
		return Pushed{}, err
	}
	return Pushed{Ref: dst, Digest: digest.String()}, nil
}
