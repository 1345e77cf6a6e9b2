package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	kindversion "sigs.k8s.io/kind/pkg/cmd/kind/version"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/images"
)

// commandPaths are every command of the CLI, as a user types them.
var commandPaths = [][]string{
	{},
	{"images"}, {"images", "build"}, {"images", "push"}, {"images", "ref"},
	{"registry"}, {"registry", "up"}, {"registry", "down"},
	{"cluster"}, {"cluster", "up"}, {"cluster", "down"}, {"cluster", "kubeconfig"},
	{"cni"}, {"cni", "list"}, {"cni", "variants"},
	{"cleanup"},
	{"rbac"}, {"rbac", "role"}, {"rbac", "kubeconfig"}, {"rbac", "check"}, {"rbac", "revoke"},
	{"verify"},
	{"report"}, {"report", "expect"}, {"report", "html"}, {"report", "failures"},
	{"version"}, {"completion"}, {"completion", "bash"},
}

// --help is a request, not a mistake: on every command it succeeds (exit
// status 0), as kind's and kubectl's do.
func TestHelpOfEveryCommandSucceeds(t *testing.T) {
	for _, path := range commandPaths {
		args := append(append([]string{}, path...), "--help")
		if err := run(context.Background(), args); err != nil {
			t.Errorf("netconform %s: %v", strings.Join(args, " "), err)
		}
	}
}

// execute runs one command line as main does and returns what it wrote to
// standard output and standard error.
func execute(args ...string) (stdout, stderr string, err error) {
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// The help of each command is its usage: what it is for, how it is called,
// and its flags.
func TestHelpPrintsTheCommandsUsage(t *testing.T) {
	for _, path := range commandPaths {
		if slices.Equal(path, []string{"verify"}) {
			continue // verify prints the suites' flags itself, on standard error
		}
		out, _, err := execute(append(slices.Clone(path), "--help")...)
		if err != nil {
			t.Errorf("netconform %s --help: %v", strings.Join(path, " "), err)
			continue
		}
		line := strings.TrimSpace("netconform " + strings.Join(path, " "))
		if !strings.Contains(out, "Usage:\n  "+line) || !strings.Contains(out, "--help") {
			t.Errorf("netconform %s --help printed no usage:\n%s", strings.Join(path, " "), out)
		}
	}
}

// commandPaths must name every command, so that a command added later is
// held to the help test too.
func TestCommandPathsNameEveryCommand(t *testing.T) {
	listed := map[string]bool{}
	for _, p := range commandPaths {
		listed[strings.Join(p, " ")] = true
	}
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue // cobra's own
			}
			p := append(slices.Clone(path), sub.Name())
			if !listed[strings.Join(p, " ")] {
				t.Errorf("netconform %s is missing from commandPaths", strings.Join(p, " "))
			}
			walk(sub, p)
		}
	}
	walk(newRootCommand(), nil)
}

// A mistyped command or flag fails (exit status 1), naming what was wrong
// and where the help is; without a RunE, cobra would print a group's help
// for an unknown command and succeed.
func TestUnknownCommandsAndFlagsFail(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"clustr"}, `unknown command "clustr" for "netconform"`},
		{[]string{"cluster", "upp"}, `unknown command "upp" for "netconform cluster" (did you mean up?)`},
		{[]string{"report", "nosuch"}, `unknown command "nosuch" for "netconform report"`},
		{[]string{"cluster", "up", "--nosuch"}, "unknown flag: --nosuch\nSee 'netconform cluster up --help'."},
		{[]string{"cleanup", "--run-id"}, "flag needs an argument"},
		{[]string{"cluster", "down", "stray"}, `netconform cluster down takes no arguments (got ["stray"])`},
		{[]string{"cni", "variants"}, "usage: netconform cni variants"},
		{[]string{"report", "expect", "--label", "Feature:NetworkPolicy"}, "usage: netconform report expect"},
		{[]string{"version", "-o", "yaml"}, `--output "yaml": want json`},
	} {
		_, _, err := execute(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("netconform %s: err = %v, want it to contain %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

// The flags as the scripts, the Makefile and the workflows spell them
// still parse to the same values.
func TestFlagsAsTheScriptsPassThem(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want map[string]string // flag -> value
	}{
		{[]string{"cluster", "up", "--name", "nc", "--cni", "flannel", "--addons", "metallb,traefik", "--build=false", "--registry", "172.18.0.9:5000", "--workers", "2", "--reuse"},
			map[string]string{"name": "nc", "cni": "flannel", "addons": "metallb,traefik", "build": "false", "registry": "172.18.0.9:5000", "workers": "2", "reuse": "true"}},
		{[]string{"report", "html", "-o", "reports/matrix.html", "reports/a/"}, map[string]string{"output": "reports/matrix.html"}},
		{[]string{"report", "html", "reports/a/", "-o", "m.html"}, map[string]string{"output": "m.html"}},
		{[]string{"rbac", "kubeconfig", "--kubeconfig", "admin", "--service-account", "netconform/minus", "--without", "list nodes", "-o", "minus.kubeconfig"},
			map[string]string{"kubeconfig": "admin", "service-account": "netconform/minus", "without": "list nodes", "output": "minus.kubeconfig"}},
		{[]string{"cleanup", "--dry-run", "--wait", "2m", "--run-id", "x"}, map[string]string{"dry-run": "true", "wait": "2m0s", "run-id": "x"}},
		{[]string{"images", "ref", "--image-registry", "reg:5000", "agent"}, map[string]string{"image-registry": "reg:5000"}},
		{[]string{"cni", "variants", "--without", "NetworkPolicy", "kube-router"}, map[string]string{"without": "NetworkPolicy"}},
	} {
		cmd, rest, err := newRootCommand().Find(tc.args)
		if err == nil {
			err = cmd.ParseFlags(rest)
		}
		if err != nil {
			t.Errorf("netconform %s: %v", strings.Join(tc.args, " "), err)
			continue
		}
		for name, want := range tc.want {
			if got := cmd.Flags().Lookup(name).Value.String(); got != want {
				t.Errorf("netconform %s: --%s = %q, want %q", strings.Join(tc.args, " "), name, got, want)
			}
		}
	}
}

// version names every image of the catalog with its reference, every
// installable CNI and every add-on, besides Go, kind and Kubernetes.
func TestVersionListsEveryComponent(t *testing.T) {
	out, _, err := execute("version")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{runtime.Version(), "v" + kindversion.Version(), images.KubernetesVersion}
	for _, n := range images.Names() {
		want = append(want, n, images.Ref(n))
	}
	for _, n := range cni.Known() {
		p, _ := cni.Lookup(n)
		want = append(want, n+" ", p.Version)
	}
	want = append(want, cluster.KnownAddOns()...)
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("netconform version lacks %q:\n%s", w, out)
		}
	}
	for _, addOn := range []string{"metallb", "traefik", "haproxy"} {
		if !slices.Contains(cluster.KnownAddOns(), addOn) {
			t.Errorf("add-on %s is not registered: version would not list it", addOn)
		}
	}
}

func TestVersionAsJSON(t *testing.T) {
	out, _, err := execute("version", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var v versions
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	var cnis, imgs []string
	for _, c := range v.CNIs {
		cnis = append(cnis, c.Name)
	}
	for _, c := range v.Images {
		imgs = append(imgs, c.Name)
		if c.Version == "" || c.Ref != images.Ref(c.Name) {
			t.Errorf("image %s: version %q, ref %q", c.Name, c.Version, c.Ref)
		}
	}
	if !slices.Equal(cnis, cni.Known()) || !slices.Equal(imgs, images.Names()) {
		t.Errorf("CNIs %v, images %v; want %v and %v", cnis, imgs, cni.Known(), images.Names())
	}
	if v.Netconform == "" || v.Go != runtime.Version() || v.Kubernetes != images.KubernetesVersion {
		t.Errorf("netconform %q, Go %q, Kubernetes %q", v.Netconform, v.Go, v.Kubernetes)
	}
}

func TestStampedVersion(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}
	for _, tc := range []struct {
		info debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "devel (0123456789ab, modified)"},
		{debug.BuildInfo{Main: debug.Module{Version: "v0.1.0"}, Settings: rev[:1]}, "v0.1.0 (0123456789ab)"},
		{debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20260101000000-0123456789ab+dirty"}, Settings: rev},
			"v0.1.1-0.20260101000000-0123456789ab+dirty"},
	} {
		if got := stampedVersion(&tc.info); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.info, got, tc.want)
		}
	}
}

func TestTagOf(t *testing.T) {
	for ref, want := range map[string]string{
		"registry.k8s.io/coredns/coredns:v1.12.1":      "v1.12.1",
		"localhost:5000/agent:0.1.0":                   "0.1.0",
		"localhost:5000/agent":                         "latest",
		"docker.io/netconform/node:v1.34.4@sha256:abc": "v1.34.4",
	} {
		if got := tagOf(ref); got != want {
			t.Errorf("tagOf(%q) = %q, want %q", ref, got, want)
		}
	}
}

// Completion offers what is registered: the CNIs for --cni, the images
// for images build.
func TestCompletionOffersWhatIsRegistered(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "cluster", "up", "--cni", ""}, cni.Known()},
		{[]string{"__complete", "images", "build", ""}, images.Names()},
		{[]string{"__complete", "cluster", "up", "--addons", "metallb,"}, []string{"metallb,traefik", "metallb,haproxy"}},
	} {
		out, _, err := execute(tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("netconform %s offers no %q:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if out, _, err := execute("completion", shell); err != nil || !strings.Contains(out, "netconform") {
			t.Errorf("completion %s: err %v, %d bytes", shell, err, len(out))
		}
	}
}
