package clusterlock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Mode is how a lock is held: by any number of holders at once, or by one
// alone.
type Mode string

const (
	Shared    Mode = "shared"
	Exclusive Mode = "exclusive"
)

// Dir is where the locks of the cluster whose API server is host live: one
// directory per cluster, the same for every process on this host.
func Dir(host string) string {
	sum := sha256.Sum256([]byte(host))
	return filepath.Join(os.TempDir(), "netconform-locks", hex.EncodeToString(sum[:6]))
}

// Lock is one lock held; Release gives it back.
type Lock struct{ f *os.File }

// Release gives the lock back. Releasing twice is harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

type options struct {
	poll     time.Duration
	whenBusy func()
}

// Option changes how Acquire waits.
type Option func(*options)

// Poll is how often Acquire tries again while the lock is held (default
// 100 ms).
func Poll(d time.Duration) Option { return func(o *options) { o.poll = d } }

// WhenBusy is called once, before Acquire starts waiting, when the lock is
// held in a mode that excludes it.
func WhenBusy(f func()) Option { return func(o *options) { o.whenBusy = f } }

// Acquire takes the lock at path (created if missing, with its directory)
// in mode, waiting until it is free or ctx ends.
func Acquire(ctx context.Context, path string, mode Mode, opts ...Option) (*Lock, error) {
	o := options{poll: 100 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	tick := time.NewTicker(o.poll)
	defer tick.Stop()
	for busy := false; ; busy = true {
		ok, err := tryLock(f, mode)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s (%s): %w", path, mode, err)
		}
		if ok {
			return &Lock{f: f}, nil
		}
		if !busy && o.whenBusy != nil {
			o.whenBusy()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for the %s lock %s: %w", mode, path, context.Cause(ctx))
		case <-tick.C:
		}
	}
}
