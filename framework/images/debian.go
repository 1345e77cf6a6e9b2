package images

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultDebianMirror is where debootstrap fetches packages from.
const DefaultDebianMirror = "http://deb.debian.org/debian"

// rootfs describes a Debian root filesystem made by debootstrap.
type rootfs struct {
	name     string
	packages []string
}

// trimmed are removed from every root filesystem: documentation and package
// caches add size and nothing a node or a test image runs.
var trimmed = []string{
	"usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "usr/share/lintian",
	"var/cache/apt", "var/lib/apt/lists", "var/cache/debconf/templates.dat-old", "var/log",
}

// nodeRootfs is the base of the kind node image.
var nodeRootfs = rootfs{"node", []string{
	"systemd", "systemd-sysv", "dbus", "containerd", "runc", "containernetworking-plugins",
	"iptables", "nftables", "ipset", "iproute2", "conntrack", "ethtool", "socat", "kmod",
	"mount", "util-linux", "procps", "ca-certificates", "libseccomp2",
}}

// netRootfs is the base of images that program the node's network (kube-proxy, CNI agents).
var netRootfs = rootfs{"net", []string{"iptables", "nftables", "ipset", "iproute2", "conntrack", "kmod"}}

// debianTarball returns a tar of the root filesystem, running debootstrap
// when no cache entry exists for this suite, mirror and package list.
func (b *Builder) debianTarball(ctx context.Context, r rootfs) (string, error) {
	pkgs := append([]string(nil), r.packages...)
	sort.Strings(pkgs)
	k, sum := newHasher()
	k.add(DebianSuite, b.mirror(), strings.Join(pkgs, ","), strings.Join(trimmed, ","))
	dst := filepath.Join(b.CacheDir, "rootfs", fmt.Sprintf("%s-%s-%s.tar", r.name, DebianSuite, sum()[:16]))
	if exists(dst) {
		b.logf("%s rootfs: cached", r.name)
		return dst, nil
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", fmt.Errorf("debootstrap is not installed (run scripts/host-setup.sh): %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(filepath.Dir(dst), ".tmp-"+r.name+"-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	root := filepath.Join(work, "root")

	start := time.Now()
	b.logf("%s rootfs: debootstrap %s (%d packages)", r.name, DebianSuite, len(pkgs))
	if err := b.run(ctx, "debootstrap", "--variant=minbase", "--include="+strings.Join(pkgs, ","), DebianSuite, root, b.mirror()); err != nil {
		return "", fmt.Errorf("debootstrap of the %s rootfs from %s: %w", r.name, b.mirror(), err)
	}
	for _, p := range trimmed {
		if err := os.RemoveAll(filepath.Join(root, p)); err != nil {
			return "", err
		}
	}
	// debootstrap leaves the build host's resolver and hostname behind.
	for _, f := range []string{"etc/resolv.conf", "etc/hostname"} {
		os.Remove(filepath.Join(root, f))
	}
	tarTmp := filepath.Join(work, "rootfs.tar")
	if err := b.run(ctx, "tar", "--numeric-owner", "--xattrs", "-C", root, "-cf", tarTmp, "."); err != nil {
		return "", err
	}
	b.record(r.name+" rootfs", time.Since(start))
	return dst, commit(tarTmp, dst)
}

func (b *Builder) mirror() string {
	if b.DebianMirror != "" {
		return b.DebianMirror
	}
	return DefaultDebianMirror
}

// run runs a command, returning its output in the error when it fails.
func (b *Builder) run(ctx context.Context, name string, args ...string) error {
	_, err := b.output(ctx, nil, name, args...)
	return err
}

func (b *Builder) output(ctx context.Context, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(shorten(args), " "), err, tail(errOut.String()+out.String(), 20))
	}
	return strings.TrimSpace(out.String()), nil
}

func shorten(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if len(a) > 120 {
			a = a[:117] + "..."
		}
		out[i] = a
	}
	return out
}
