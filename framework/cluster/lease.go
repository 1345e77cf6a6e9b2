package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Lease is one process's use of a shared embedded cluster. Several test
// binaries (go test runs suite packages in parallel) share one cluster: the
// first creates it, each holds a lease, and the last to release it deletes
// it, unless asked to keep it.
type Lease struct {
	Cluster *Cluster
	cfg     Config
	file    string
}

func leaseDir(name string) string {
	return filepath.Join(filepath.Dir(DefaultKubeconfig(name)), name+".leases")
}

// withLock runs fn holding an exclusive lock on the cluster's lock file, so
// that creation and deletion never interleave between processes.
func withLock(name string, fn func() error) error {
	dir := filepath.Dir(DefaultKubeconfig(name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, name+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

// Acquire returns the embedded cluster, creating it (or reusing one already
// there, checked end to end) and taking a lease on it. prepare, when not
// nil, runs first under the same lock (building images, say), so that
// parallel callers never do it twice at once.
func Acquire(ctx context.Context, cfg Config, prepare func(context.Context) error) (*Lease, error) {
	cfg.defaults()
	cfg.Reuse = true
	l := &Lease{cfg: cfg, file: filepath.Join(leaseDir(cfg.Name), strconv.Itoa(os.Getpid()))}
	err := withLock(cfg.Name, func() error {
		if prepare != nil {
			if err := prepare(ctx); err != nil {
				return err
			}
		}
		c, err := Create(ctx, cfg)
		if err != nil {
			return err
		}
		l.Cluster = c
		if err := os.MkdirAll(leaseDir(cfg.Name), 0o755); err != nil {
			return err
		}
		return os.WriteFile(l.file, nil, 0o644)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Release gives the lease back and deletes the cluster when no live process
// holds one any more and keep is false.
func (l *Lease) Release(ctx context.Context, keep bool) error {
	return withLock(l.cfg.Name, func() error {
		os.Remove(l.file)
		if keep || liveLeases(leaseDir(l.cfg.Name)) > 0 {
			return nil
		}
		l.cfg.Log("deleting the embedded cluster %q (pass -keep-cluster to keep it)", l.cfg.Name)
		return Delete(ctx, l.cfg.Name, l.cfg.Kubeconfig, l.cfg.Log)
	})
}

// liveLeases counts leases whose process still runs, removing the others
// (left by processes that were killed).
func liveLeases(dir string) int {
	entries, _ := os.ReadDir(dir)
	live := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && syscall.Kill(pid, 0) == nil {
			live++
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
	return live
}
