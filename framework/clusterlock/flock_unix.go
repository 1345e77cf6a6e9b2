//go:build unix

package clusterlock

import (
	"errors"
	"os"
	"syscall"
)

// Supported says whether this platform has the file locks Acquire needs.
const Supported = true

// tryLock takes flock(2) in mode without waiting; false when another open
// file holds it in a mode that excludes this one.
func tryLock(f *os.File, mode Mode) (bool, error) {
	how := syscall.LOCK_SH
	if mode == Exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		}
		return false, err
	}
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
