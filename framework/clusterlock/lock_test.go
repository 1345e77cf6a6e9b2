//go:build unix

package clusterlock

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func lockPath(t *testing.T) string { return filepath.Join(t.TempDir(), "locks", "cluster") }

func mustAcquire(t *testing.T, path string, mode Mode) *Lock {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	l, err := Acquire(ctx, path, mode, Poll(10*time.Millisecond))
	if err != nil {
		t.Fatalf("%s lock: %v", mode, err)
	}
	return l
}

// busy reports whether Acquire in mode would have to wait, giving the lock
// back at once when it did not.
func busy(t *testing.T, path string, mode Mode) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	waited := false
	l, err := Acquire(ctx, path, mode, Poll(10*time.Millisecond), WhenBusy(func() { waited = true }))
	if err == nil {
		l.Release()
		if waited {
			t.Fatalf("%s lock: taken after WhenBusy was called, within 50 ms, with nothing released", mode)
		}
		return false
	}
	if !errors.Is(err, context.DeadlineExceeded) || !waited {
		t.Fatalf("%s lock: want a deadline after WhenBusy, got %v (WhenBusy called: %v)", mode, err, waited)
	}
	return true
}

func TestSharedHoldersExcludeOnlyExclusive(t *testing.T) {
	path := lockPath(t)
	a, b := mustAcquire(t, path, Shared), mustAcquire(t, path, Shared)
	if busy(t, path, Shared) {
		t.Fatal("a third shared holder had to wait beside two shared ones")
	}
	if !busy(t, path, Exclusive) {
		t.Fatal("an exclusive holder got the lock beside two shared ones")
	}
	a.Release()
	if !busy(t, path, Exclusive) {
		t.Fatal("an exclusive holder got the lock beside one shared one")
	}
	b.Release()
	b.Release() // twice: harmless
	mustAcquire(t, path, Exclusive).Release()
}

func TestExclusiveHolderExcludesEveryone(t *testing.T) {
	path := lockPath(t)
	l := mustAcquire(t, path, Exclusive)
	if !busy(t, path, Shared) || !busy(t, path, Exclusive) {
		t.Fatal("the lock was taken beside an exclusive holder")
	}
	l.Release()
	mustAcquire(t, path, Shared).Release()
}

func TestWaiterGetsTheLockWhenReleased(t *testing.T) {
	path := lockPath(t)
	l := mustAcquire(t, path, Exclusive)
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		w, err := Acquire(ctx, path, Shared, Poll(10*time.Millisecond))
		if err == nil {
			w.Release()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("the waiter ended before the holder released: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	l.Release()
	if err := <-got; err != nil {
		t.Fatalf("the waiter: %v", err)
	}
}

// held keeps the holder process's lock reachable: a collected *os.File
// closes its descriptor, which lets the lock go.
var held *Lock

// A process that holds the lock and is killed leaves it free: an
// interrupted run locks nothing.
func TestKilledHolderReleases(t *testing.T) {
	if path := os.Getenv("CLUSTERLOCK_HOLD"); path != "" {
		var err error
		if held, err = Acquire(context.Background(), path, Exclusive); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString("held\n")
		io.Copy(io.Discard, os.Stdin) // until killed: the test keeps stdin open
	}
	path := lockPath(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledHolderReleases$")
	cmd.Env = append(os.Environ(), "CLUSTERLOCK_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "held\n" {
		t.Fatalf("the holder process: %q, %v", line, err)
	}
	if !busy(t, path, Shared) {
		t.Fatal("the lock was free while another process held it")
	}
	cmd.Process.Kill()
	cmd.Wait()
	mustAcquire(t, path, Exclusive).Release()
}

func TestDirIsPerCluster(t *testing.T) {
	a, b := Dir("https://127.0.0.1:40001"), Dir("https://127.0.0.1:40002")
	if a == b || a != Dir("https://127.0.0.1:40001") {
		t.Fatalf("Dir: %s and %s", a, b)
	}
}
