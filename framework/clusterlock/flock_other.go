//go:build !unix

package clusterlock

import (
	"errors"
	"os"
)

// Supported says whether this platform has the file locks Acquire needs.
const Supported = false

var errUnsupported = errors.New("file locks are not supported on this platform")

func tryLock(*os.File, Mode) (bool, error) { return false, errUnsupported }

func unlock(*os.File) error { return errUnsupported }
