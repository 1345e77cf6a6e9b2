package images

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed all:nodefs
var nodeFiles embed.FS

// Builder builds the catalog's images offline into the local Docker engine.
type Builder struct {
	RepoRoot     string // root of the netconform repository (wrapper modules live under build/)
	CacheDir     string // build outputs kept between runs
	DebianMirror string // defaults to DefaultDebianMirror
	Log          func(format string, args ...any)

	mu      sync.Mutex
	timings []Timing
	built   map[string]string // binaries made or found by this Builder, by cache key
}

// Timing is how long one step that actually ran took.
type Timing struct {
	Step     string
	Duration time.Duration
}

// Timings lists the steps that ran (cached ones are absent), in order.
func (b *Builder) Timings() []Timing {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Timing(nil), b.timings...)
}

func (b *Builder) record(step string, d time.Duration) {
	b.mu.Lock()
	b.timings = append(b.timings, Timing{step, d})
	b.mu.Unlock()
	b.logf("%s: built in %s", step, d.Round(time.Second))
}

func (b *Builder) logf(format string, args ...any) {
	if b.Log != nil {
		b.Log(format, args...)
	}
}

// FindRepoRoot walks up from dir to the directory holding netconform's go.mod.
func FindRepoRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil &&
			strings.HasPrefix(string(data), "module github.com/netconform/netconform\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no netconform repository above %s", dir)
		}
	}
}

// Build makes sure every named image (the Defaults when none is named) is
// in the local Docker engine, building what is missing or out of date.
func (b *Builder) Build(ctx context.Context, names ...string) error {
	if len(names) == 0 {
		names = Defaults()
	}
	for _, n := range names {
		if _, err := Get(n); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(b.CacheDir, 0o755); err != nil {
		return fmt.Errorf("cache directory: %w", err)
	}
	if _, err := b.output(ctx, nil, "docker", "version", "--format", "{{.Server.Version}}"); err != nil {
		return fmt.Errorf("no Docker engine answers (run scripts/host-setup.sh): %w", err)
	}
	done := map[string]bool{}
	var build func(name string) error
	build = func(name string) error {
		if done[name] {
			return nil
		}
		done[name] = true
		if name == Node {
			for _, dep := range Preloaded {
				if err := build(dep); err != nil {
					return err
				}
			}
		}
		if err := b.buildOne(ctx, name); err != nil {
			return fmt.Errorf("image %s: %w", name, err)
		}
		return nil
	}
	sort.SliceStable(names, func(i, j int) bool { return names[j] == Node && names[i] != Node })
	for _, n := range names {
		if err := build(n); err != nil {
			return err
		}
	}
	return nil
}

const binPath = "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin\n"

// binaryImage is an image made of one Go binary on scratch or on the
// Debian network base.
type binaryImage struct {
	program func() goProgram
	binary  string // the file the program's build produces
	onNet   bool   // FROM the Debian network base (iptables, ipset, ip) instead of scratch
	// body follows FROM; the binary is in the build context as "bin".
	body string
}

// debianBase is the Debian root filesystem an image is built on, if any:
// the network base, or one of its own with a registered recipe's packages
// (and the network base's too, with OnNetBase).
func debianBase(name string, bi binaryImage) (rootfs, bool) {
	var extra []string
	if r := catalog[name].Recipe; r != nil {
		extra = r.Debian
	}
	switch {
	case len(extra) == 0 && bi.onNet:
		return netRootfs, true
	case len(extra) == 0:
		return rootfs{}, false
	}
	pkgs := slices.Clone(extra)
	if bi.onNet {
		pkgs = append(pkgs, netRootfs.packages...)
	}
	return rootfs{name, pkgs}, true
}

var binaryImages = map[string]binaryImage{
	KubeAPIServer:         {kubernetesProgram, KubeAPIServer, false, "COPY bin /usr/local/bin/kube-apiserver\n" + binPath},
	KubeControllerManager: {kubernetesProgram, KubeControllerManager, false, "COPY bin /usr/local/bin/kube-controller-manager\n" + binPath},
	KubeScheduler:         {kubernetesProgram, KubeScheduler, false, "COPY bin /usr/local/bin/kube-scheduler\n" + binPath},
	KubeProxy:             {kubernetesProgram, KubeProxy, true, "COPY bin /usr/local/bin/kube-proxy\n"},
	Etcd:                  {etcdProgram, "server", false, "COPY bin /usr/local/bin/etcd\n" + binPath + "WORKDIR /var/lib/etcd\n"},
	CoreDNS:               {corednsProgram, "coredns", false, "COPY bin /coredns\nEXPOSE 53 53/udp\nENTRYPOINT [\"/coredns\"]\n"},
	Pause:                 {func() goProgram { return ownProgram("pause", "./fixtures/pause") }, "pause", false, "COPY bin /pause\nUSER 65535:65535\nENTRYPOINT [\"/pause\"]\n"},
	Agent:                 {func() goProgram { return ownProgram("agent", "./fixtures/agent") }, "agent", false, "COPY bin /agent\nUSER 65532:65532\nENTRYPOINT [\"/agent\"]\nCMD [\"serve\"]\n"},
}

// recipe returns the binary image recipe of name: the core table's, or the
// one it was registered with.
func recipe(name string) (binaryImage, bool) {
	if bi, ok := binaryImages[name]; ok {
		return bi, true
	}
	r := catalog[name].Recipe
	if r == nil {
		return binaryImage{}, false
	}
	binary := r.Binary
	if binary == "" {
		binary = lastElement(r.Package)
	}
	return binaryImage{
		program: func() goProgram {
			return goProgram{name: name + "-" + imageTag(catalog[name].Ref), module: r.Module, pkgs: append([]string{r.Package}, r.Packages...),
				ldflags: r.LDFlags, tags: r.Tags, cached: true, cgo: r.CGO}
		},
		binary: binary, onNet: r.OnNetBase, body: r.Dockerfile,
	}, true
}

func lastElement(pkg string) string { return pkg[strings.LastIndex(pkg, "/")+1:] }

// imageTag is the tag of a reference ("latest" when it has none).
func imageTag(ref string) string {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[i+1:]
	}
	return "latest"
}

func (b *Builder) buildOne(ctx context.Context, name string) error {
	ref := Ref(name)
	if bi, ok := recipe(name); ok {
		dir, err := b.binaries(ctx, bi.program())
		if err != nil {
			return err
		}
		from := "scratch"
		if base, ok := debianBase(name, bi); ok {
			if from, err = b.debianImage(ctx, base); err != nil {
				return err
			}
		}
		files := map[string]string{"bin": filepath.Join(dir, bi.binary)}
		if r := catalog[name].Recipe; r != nil {
			for _, p := range r.Packages {
				files[lastElement(p)] = filepath.Join(dir, lastElement(p))
			}
			for _, md := range r.ModuleDirs {
				if err := b.addModuleDir(ctx, r.Module, md, files); err != nil {
					return err
				}
			}
		}
		return b.dockerBuild(ctx, imageRecipe{ref: ref, dockerfile: "FROM " + from + "\n" + bi.body, files: files})
	}
	switch name {
	case NetTools:
		// iptables, ip, ipset and conntrack, for specs that break (and mend)
		// a node's network on purpose.
		base, err := b.netBase(ctx)
		if err != nil {
			return err
		}
		return b.dockerBuild(ctx, imageRecipe{ref: ref, dockerfile: "FROM " + base + "\nCMD [\"sleep\", \"infinity\"]\n"})
	case Node:
		return b.nodeImage(ctx)
	}
	return fmt.Errorf("no recipe for %s", name)
}

// netBase is the Debian image with the tools that program a node's network.
func (b *Builder) netBase(ctx context.Context) (string, error) {
	return b.debianImage(ctx, netRootfs)
}

func (b *Builder) debianImage(ctx context.Context, r rootfs) (string, error) {
	tarball, err := b.debianTarball(ctx, r)
	if err != nil {
		return "", err
	}
	// The tarball's name carries its cache key; so does the tag.
	key := strings.TrimSuffix(filepath.Base(tarball), ".tar")
	ref := "netconform/" + r.name + "-base:" + strings.TrimPrefix(key, r.name+"-")
	return ref, b.dockerImport(ctx, tarball, ref)
}

// nodeImage builds the kind node image: a Debian root filesystem with
// systemd, containerd and runc, the Kubernetes node binaries, our boot glue,
// and the control-plane images already in containerd's store.
func (b *Builder) nodeImage(ctx context.Context) error {
	base, err := b.debianImage(ctx, nodeRootfs)
	if err != nil {
		return err
	}
	k8s, err := b.binaries(ctx, kubernetesProgram())
	if err != nil {
		return err
	}
	shim, err := b.binaries(ctx, ownProgram("netconform-runc", "./cmd/netconform-runc"))
	if err != nil {
		return err
	}
	tree, err := fs.Sub(nodeFiles, "nodefs")
	if err != nil {
		return err
	}
	versionFile := filepath.Join(b.CacheDir, "kind-version-"+KubernetesVersion)
	if err := os.WriteFile(versionFile, []byte(KubernetesVersion+"\n"), 0o644); err != nil {
		return err
	}
	stage := "netconform/node-stage:" + KubernetesVersion
	err = b.dockerBuild(ctx, imageRecipe{ref: stage,
		dockerfile: `FROM ` + base + `
COPY nodefs/ /
COPY kubelet kubeadm kubectl /usr/bin/
COPY netconform-runc /usr/local/bin/netconform-runc
COPY version /kind/version
RUN rm -rf /opt/cni/bin && mkdir -p /opt/cni /etc/cni/net.d /etc/kubernetes/manifests /var/lib/kubelet \
 && ln -s /usr/lib/cni /opt/cni/bin \
 && systemctl enable containerd.service kubelet.service \
 && systemctl mask getty.target console-getty.service systemd-logind.service \
 && : > /etc/machine-id
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/netconform-entrypoint", "/sbin/init"]
`,
		files: map[string]string{
			"kubelet": filepath.Join(k8s, "kubelet"), "kubeadm": filepath.Join(k8s, "kubeadm"), "kubectl": filepath.Join(k8s, "kubectl"),
			"netconform-runc": filepath.Join(shim, "netconform-runc"),
			"version":         versionFile,
		},
		trees: map[string]fs.FS{"nodefs": tree},
	})
	if err != nil {
		return err
	}
	refs := make([]string, len(Preloaded))
	for i, n := range Preloaded {
		refs[i] = Ref(n)
	}
	return b.preload(ctx, stage, Ref(Node), refs)
}

// NodeWith is the node image base with the images refs in its containerd
// store too, so that a cluster made of it loads nothing: importing them
// into every node of every new cluster took about a minute (see
// docs/performance.md), for images most nodes never start. It is built once for each set of refs
// and kept, tagged after the set, until an image in it changes.
func NodeWith(ctx context.Context, base string, refs []string, logf func(string, ...any)) (string, error) {
	if len(refs) == 0 {
		return base, nil
	}
	refs = slices.Sorted(slices.Values(refs))
	ref := withTag(base, refs)
	b := &Builder{CacheDir: os.TempDir(), Log: logf}
	return ref, b.preload(ctx, base, ref, refs)
}

// withTag names the node image base with the sorted images refs: one tag
// per set, whatever the images' versions, so that a rebuild replaces it.
func withTag(base string, refs []string) string {
	k, set := newHasher()
	k.add(refs...)
	return base + "-with-" + set()[:12]
}

// preload commits, as ref, the stage image with the images refs imported
// into its containerd store.
func (b *Builder) preload(ctx context.Context, stage, ref string, refs []string) error {
	k, sum := newHasher()
	for _, r := range append([]string{stage}, refs...) {
		id, err := b.imageID(ctx, r)
		if err != nil {
			return err
		}
		k.add(r, id)
	}
	recipe := sum()
	if b.recipeOf(ctx, ref) == recipe {
		b.logf("%s: cached", ref)
		return nil
	}
	defer b.dropReplaced(ctx, ref)()
	start := time.Now()
	work, err := os.MkdirTemp(b.CacheDir, ".tmp-preload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	archive := filepath.Join(work, "images.tar")
	if err := b.run(ctx, "docker", append([]string{"save", "-o", archive}, refs...)...); err != nil {
		return err
	}
	name := fmt.Sprintf("netconform-preload-%d", time.Now().UnixNano())
	// containerd alone, not systemd: all that is needed is its image store.
	if err := b.run(ctx, "docker", "run", "-d", "--name", name, "--privileged", "--entrypoint", "containerd",
		"-v", archive+":/preload.tar:ro", stage); err != nil {
		return err
	}
	defer b.run(context.WithoutCancel(ctx), "docker", "rm", "-f", name)
	if err := b.waitFor(ctx, 30*time.Second, "docker", "exec", name, "ctr", "version"); err != nil {
		logs, _ := b.output(ctx, nil, "docker", "logs", "--tail", "20", name)
		return fmt.Errorf("containerd did not start in the preload container: %w\n%s", err, logs)
	}
	// --no-unpack: unpacking layers with whiteouts fails inside a container's
	// overlay root; containerd in the node unpacks on first use.
	if err := b.run(ctx, "docker", "exec", name, "ctr", "-n", "k8s.io", "images", "import", "--no-unpack", "/preload.tar"); err != nil {
		return err
	}
	listed, err := b.output(ctx, nil, "docker", "exec", name, "ctr", "-n", "k8s.io", "images", "ls", "-q")
	if err != nil {
		return err
	}
	for _, r := range refs {
		if !strings.Contains(listed, r) {
			return fmt.Errorf("%s missing from the node's containerd after import (have: %s)", r, listed)
		}
	}
	if err := b.run(ctx, "docker", "stop", "-s", "TERM", "-t", "20", name); err != nil {
		return err
	}
	if err := b.run(ctx, "docker", "commit",
		"--change", `ENTRYPOINT ["/usr/local/bin/netconform-entrypoint", "/sbin/init"]`,
		"--change", `CMD []`,
		"--change", "LABEL "+recipeLabel+"="+recipe,
		name, ref); err != nil {
		return err
	}
	b.record(ref, time.Since(start))
	return nil
}

// waitFor retries a command until it succeeds or the timeout passes.
func (b *Builder) waitFor(ctx context.Context, timeout time.Duration, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		err := b.run(ctx, name, args...)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-tick.C:
		}
	}
}

// addModuleDir adds the files of a module's directory, as the wrapper
// module pins it (downloaded to the module cache when missing), to a
// build context's files under md.Dir.
func (b *Builder) addModuleDir(ctx context.Context, wrapper string, md ModuleDir, files map[string]string) error {
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", md.Module)
	cmd.Dir = filepath.Join(b.RepoRoot, wrapper)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	var got struct{ Dir, Version, Error string }
	if jerr := json.Unmarshal(out, &got); jerr != nil || got.Error != "" || got.Dir == "" {
		return fmt.Errorf("module %s (required by %s): not in the module cache: %v %s", md.Module, wrapper, err, got.Error)
	}
	root := filepath.Join(got.Dir, md.Dir)
	n := 0
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(got.Dir, p)
		files[filepath.ToSlash(rel)] = p
		n++
		return err
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("no files in %s", root)
	}
	if err != nil {
		return fmt.Errorf("module %s@%s, directory %s: %w", md.Module, got.Version, md.Dir, err)
	}
	return nil
}
