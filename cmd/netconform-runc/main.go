// Command netconform-runc is an OCI runtime shim: it drops from the container
// spec the capabilities that this host's bounding set lacks, then execs runc
// with the same arguments. Register it as dockerd's default runtime (and as
// containerd's runc BinaryName inside kind nodes) only on hosts whose
// bounding set is reduced; elsewhere it is not needed.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/netconform/netconform/internal/capfilter"
)

// runcCandidates are tried in order; NETCONFORM_RUNC overrides them.
var runcCandidates = []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"}

func main() {
	runc, err := findRunc()
	if err != nil {
		fail(err)
	}
	allowed, err := capfilter.Bounding()
	if err != nil {
		fail(err)
	}
	bundle, process := capfilter.Targets(os.Args[1:])
	if bundle != "" {
		if err := capfilter.FilterBundle(bundle, allowed); err != nil && !os.IsNotExist(err) {
			fail(fmt.Errorf("filter bundle %s: %w", bundle, err))
		}
	}
	if process != "" {
		if err := capfilter.FilterProcessFile(process, allowed); err != nil {
			fail(fmt.Errorf("filter process spec %s: %w", process, err))
		}
	}
	argv := append([]string{"runc"}, os.Args[1:]...)
	fail(syscall.Exec(runc, argv, os.Environ()))
}

func findRunc() (string, error) {
	if p := os.Getenv("NETCONFORM_RUNC"); p != "" {
		return p, nil
	}
	self, _ := os.Executable()
	for _, c := range runcCandidates {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() && !sameFile(c, self) {
			return c, nil
		}
	}
	return "", fmt.Errorf("netconform-runc: no runc found in %v", runcCandidates)
}

func sameFile(a, b string) bool {
	ra, _ := filepath.EvalSymlinks(a)
	rb, _ := filepath.EvalSymlinks(b)
	return ra != "" && ra == rb
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "netconform-runc:", err)
	os.Exit(1)
}
