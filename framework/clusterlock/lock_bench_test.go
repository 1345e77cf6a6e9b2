//go:build unix

package clusterlock

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkAcquireRelease is what the lock costs a spec of a run that
// takes Disruptive specs when nothing holds it: open, flock, unlock, close.
func BenchmarkAcquireRelease(b *testing.B) {
	path := filepath.Join(b.TempDir(), "cluster")
	ctx := context.Background()
	for _, mode := range []Mode{Shared, Exclusive} {
		b.Run(string(mode), func(b *testing.B) {
			for b.Loop() {
				l, err := Acquire(ctx, path, mode)
				if err != nil {
					b.Fatal(err)
				}
				l.Release()
			}
		})
	}
}
