package images

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// goProgram is one `go build` invocation producing one or more binaries.
type goProgram struct {
	name    string   // cache name
	module  string   // module directory, relative to the repository root
	pkgs    []string // packages to build (main packages)
	ldflags string
	tags    string // build tags, comma-separated
	// cached: keep the output by key. Off for the project's own small
	// programs, which Go's build cache rebuilds in a second when unchanged.
	cached bool
	// cgo builds with CGO_ENABLED=1, linked against the build host's glibc
	// (Debian, like the images' base): for programs with C parts.
	cgo bool
}

// binaries returns the directory holding the program's binaries, building
// them when no cache entry exists for exactly these inputs.
func (b *Builder) binaries(ctx context.Context, p goProgram) (string, error) {
	k, sum := newHasher()
	k.add(runtime.Version(), runtime.GOARCH, p.module, p.ldflags, strings.Join(p.pkgs, " "))
	if p.tags != "" {
		k.add("tags " + p.tags)
	}
	if p.cgo {
		k.add("cgo")
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if path := filepath.Join(b.RepoRoot, p.module, f); exists(path) {
			if err := k.addFile(path); err != nil {
				return "", err
			}
		}
	}
	key := sum()[:16]
	if b.built == nil {
		b.built = map[string]string{}
	}
	if dir, ok := b.built[key]; ok {
		return dir, nil
	}
	dst := filepath.Join(b.CacheDir, "bin", p.name+"-"+key)
	if p.cached && exists(dst) {
		b.built[key] = dst
		b.logf("%s binaries: cached", p.name)
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Join(b.CacheDir, "bin"), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Join(b.CacheDir, "bin"), ".tmp-"+p.name+"-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	start := time.Now()
	args := []string{"build", "-trimpath", "-o", tmp + string(os.PathSeparator), "-ldflags", "-s -w " + p.ldflags}
	if p.tags != "" {
		args = append(args, "-tags", p.tags)
	}
	args = append(args, p.pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = filepath.Join(b.RepoRoot, p.module)
	// -buildvcs=false: stamping the commit would make every commit a new
	// binary, and so a new image, for unchanged sources.
	cgo := "CGO_ENABLED=0"
	if p.cgo {
		cgo = "CGO_ENABLED=1"
	}
	cmd.Env = append(os.Environ(), cgo, "GOOS=linux", "GOFLAGS=-mod=mod -buildvcs=false")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s (in %s): %w\n%s", strings.Join(p.pkgs, " "), p.module, explainGoFailure(out.String()), tail(out.String(), 30))
	}
	b.record(p.name+" binaries", time.Since(start))
	if !p.cached {
		dst = filepath.Join(b.CacheDir, "bin", p.name+"-current")
		if err := os.RemoveAll(dst); err != nil {
			return "", err
		}
	}
	if err := commit(tmp, dst); err != nil {
		return "", err
	}
	b.built[key] = dst
	return dst, nil
}

var refusedModule = regexp.MustCompile(`([\w./~-]+)@(v[\w.+-]+): .*(?:403|404|410|not available|Forbidden|Not Found).*`)

// explainGoFailure names the module and version the proxy refused, when
// that is why the build failed.
func explainGoFailure(out string) error {
	if m := refusedModule.FindStringSubmatch(out); m != nil {
		reason := m[0][strings.LastIndex(m[0], ": ")+2:]
		return fmt.Errorf("the Go module proxy refused %s@%s (%s)", m[1], m[2], reason)
	}
	return fmt.Errorf("build failed")
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// The programs netconform builds.
func kubernetesProgram() goProgram {
	const v = "k8s.io/component-base/version"
	major, minor, _ := strings.Cut(strings.TrimPrefix(KubernetesVersion, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	ld := strings.Join([]string{
		"-X " + v + ".gitVersion=" + KubernetesVersion,
		"-X " + v + ".gitMajor=" + major,
		"-X " + v + ".gitMinor=" + minor,
		"-X " + v + ".gitTreeState=clean",
		"-X " + v + ".buildDate=1970-01-01T00:00:00Z",
		"-X " + v + "/verflag.programName=kubernetes",
	}, " ")
	var pkgs []string
	for _, c := range []string{"kubelet", "kubeadm", "kubectl", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"} {
		pkgs = append(pkgs, "k8s.io/kubernetes/cmd/"+c)
	}
	return goProgram{name: "kubernetes-" + KubernetesVersion, module: "build/kubernetes", pkgs: pkgs, ldflags: ld, cached: true}
}

func etcdProgram() goProgram {
	return goProgram{name: "etcd-" + EtcdVersion, module: "build/etcd", pkgs: []string{"go.etcd.io/etcd/server/v3"}, cached: true}
}

func corednsProgram() goProgram {
	return goProgram{name: "coredns-" + CoreDNSVersion, module: "build/coredns", pkgs: []string{"github.com/coredns/coredns"},
		ldflags: "-X github.com/coredns/coredns/coremain.GitCommit=" + CoreDNSVersion, cached: true}
}

// ownProgram builds packages of this repository.
func ownProgram(name string, pkgs ...string) goProgram {
	return goProgram{name: name, module: ".", pkgs: pkgs}
}
