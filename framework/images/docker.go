package images

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// recipeLabel carries the cache key of an image's inputs.
const recipeLabel = "io.netconform.recipe"

// dockerEnv makes `docker build` use the classic builder, which works
// offline and needs no buildx plugin.
var dockerEnv = []string{"DOCKER_BUILDKIT=0"}

// imageRecipe is what a Docker image is built from: a Dockerfile and the
// files of its build context.
type imageRecipe struct {
	ref        string
	dockerfile string
	files      map[string]string // context path -> file on disk
	trees      map[string]fs.FS  // context dir -> tree (files under usr/local/bin made executable)
}

// recipeOf reads the label an image carries, or "" when there is no such image.
func (b *Builder) recipeOf(ctx context.Context, ref string) string {
	out, err := b.output(ctx, nil, "docker", "image", "inspect", "--format", fmt.Sprintf("{{index .Config.Labels %q}}", recipeLabel), ref)
	if err != nil {
		return ""
	}
	return out
}

func (b *Builder) imageID(ctx context.Context, ref string) (string, error) {
	id, err := b.output(ctx, nil, "docker", "image", "inspect", "--format", "{{.Id}}", ref)
	if err != nil {
		return "", fmt.Errorf("image %s is not in the local Docker engine: %w", ref, err)
	}
	return id, nil
}

// dockerBuild builds the image unless one with the same recipe exists.
func (b *Builder) dockerBuild(ctx context.Context, r imageRecipe) error {
	k, sum := newHasher()
	k.add(r.dockerfile)
	if err := k.addFiles(r.files); err != nil {
		return err
	}
	dirs := make([]string, 0, len(r.trees))
	for d := range r.trees {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		err := fs.WalkDir(r.trees[d], ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := fs.ReadFile(r.trees[d], p)
			k.add(d+"/"+p, string(data))
			return err
		})
		if err != nil {
			return err
		}
	}
	recipe := sum()
	if b.recipeOf(ctx, r.ref) == recipe {
		b.logf("%s: cached", r.ref)
		return nil
	}
	defer b.dropReplaced(ctx, r.ref)()
	start := time.Now()
	dir, err := os.MkdirTemp(b.CacheDir, ".tmp-context-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for name, src := range r.files {
		if err := linkOrCopy(src, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	for d, tree := range r.trees {
		if err := writeTree(tree, filepath.Join(dir, d)); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(r.dockerfile), 0o644); err != nil {
		return err
	}
	if _, err := b.output(ctx, dockerEnv, "docker", "build", "-q", "--label", recipeLabel+"="+recipe, "-t", r.ref, dir); err != nil {
		return fmt.Errorf("building image %s: %w", r.ref, err)
	}
	b.record(r.ref, time.Since(start))
	return nil
}

// dropReplaced notes the image a tag points at now, and returns a function
// that removes it once the tag has moved on, so rebuilds do not pile up
// gigabytes of dangling images. An image still in use stays.
func (b *Builder) dropReplaced(ctx context.Context, ref string) func() {
	old, err := b.imageID(ctx, ref)
	if err != nil {
		return func() {}
	}
	return func() {
		if now, err := b.imageID(ctx, ref); err == nil && now != old {
			b.run(context.WithoutCancel(ctx), "docker", "image", "rm", old)
		}
	}
}

// dockerImport turns a root filesystem tarball into an image, once.
func (b *Builder) dockerImport(ctx context.Context, tarball, ref string) error {
	if _, err := b.imageID(ctx, ref); err == nil {
		b.logf("%s: cached", ref)
		return nil
	}
	start := time.Now()
	if err := b.run(ctx, "docker", "import", "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", tarball, ref); err != nil {
		return fmt.Errorf("importing %s: %w", tarball, err)
	}
	b.record(ref, time.Since(start))
	return nil
}

func linkOrCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, info.Mode().Perm())
}

// writeTree writes an embedded tree to disk. Embedded files carry no mode,
// so the ones meant to run (under a bin directory) are made executable.
func writeTree(tree fs.FS, dst string) error {
	return fs.WalkDir(tree, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, p)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(tree, p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if strings.Contains("/"+filepath.ToSlash(filepath.Dir(p))+"/", "/bin/") {
			mode = 0o755
		}
		return os.WriteFile(target, data, mode)
	})
}
