package images

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// DefaultCacheDir is where build outputs are kept between runs.
func DefaultCacheDir() string {
	if d := os.Getenv("NETCONFORM_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "netconform")
	}
	return filepath.Join(os.TempDir(), "netconform-cache")
}

// hasher accumulates the inputs of a build step into a cache key.
type hasher struct{ h io.Writer }

func newHasher() (*hasher, func() string) {
	h := sha256.New()
	return &hasher{h}, func() string { return hex.EncodeToString(h.Sum(nil)) }
}

func (k *hasher) add(parts ...string) {
	for _, p := range parts {
		fmt.Fprintf(k.h, "%d:%s;", len(p), p)
	}
}

func (k *hasher) addFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(k.h, "file:%s;", filepath.Base(path))
	_, err = io.Copy(k.h, f)
	return err
}

// addFiles hashes the named files in a stable order.
func (k *hasher) addFiles(files map[string]string) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k.add(n)
		if err := k.addFile(files[n]); err != nil {
			return err
		}
	}
	return nil
}

// commit makes a finished temporary output the cache entry at dst, in one
// rename, so that an interrupted or failed build never leaves a partial
// entry where a later run would trust it.
func commit(tmp, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return os.RemoveAll(tmp) // a concurrent build finished first
	}
	return os.Rename(tmp, dst)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
