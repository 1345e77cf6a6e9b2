package cluster

import (
	"slices"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/images"
)

// With a registry, the nodes learn it before anything is pulled, and the
// suites' images are left for them to pull.
func TestPlanWithARegistryPullsTheSuitesImages(t *testing.T) {
	cfg := Config{CNI: "kube-router", Registry: "172.18.0.9:5000"}
	cfg.defaults()
	plugin, err := cni.Lookup(cfg.CNI)
	if err != nil {
		t.Fatal(err)
	}
	steps := plan(cfg, plugin, false)
	if steps[1].Name != "kind create" || steps[2].Name != "registry 172.18.0.9:5000" {
		t.Errorf("steps %q, %q: the registry must be configured right after kind creates the nodes", steps[1].Name, steps[2].Name)
	}
	got := loaded(stepImages(steps), cfg.Registry)
	for _, n := range images.RunImages {
		if slices.Contains(got, n) {
			t.Errorf("%s is loaded into the nodes of a cluster that must pull it: %v", n, got)
		}
	}
	if !slices.Contains(got, "kube-router") {
		t.Errorf("the CNI's image is no longer loaded: %v", got)
	}
	if all := loaded(stepImages(steps), ""); !slices.Contains(all, images.Agent) || !slices.Contains(all, images.NetTools) {
		t.Errorf("without a registry the suites' images must be loaded: %v", all)
	}
	if plain := plan(Config{CNI: "kube-router"}, plugin, false); plain[2].Name != "egress guard" {
		t.Errorf("a cluster without a registry has a registry step: %q", plain[2].Name)
	}
}

func TestRegistryContainerdConfig(t *testing.T) {
	cfg := Config{Workers: 1, Registry: "172.18.0.9:5000"}
	cfg.defaults()
	kc := kindConfig(cfg, cni.DefaultPodSubnet)
	if len(kc.ContainerdConfigPatches) != 1 {
		t.Fatalf("containerd patches = %q", kc.ContainerdConfigPatches)
	}
	var patch struct {
		Plugins map[string]struct {
			Registry struct {
				ConfigPath string `toml:"config_path"`
			} `toml:"registry"`
		} `toml:"plugins"`
	}
	if _, err := toml.Decode(kc.ContainerdConfigPatches[0], &patch); err != nil {
		t.Fatal(err)
	}
	if got := patch.Plugins["io.containerd.grpc.v1.cri"].Registry.ConfigPath; got != hostsDir {
		t.Errorf("config_path = %q, want %q", got, hostsDir)
	}
	var hosts struct {
		Server string
		Host   map[string]struct{ Capabilities []string }
	}
	if _, err := toml.Decode(hostsTOML("172.18.0.9:5000"), &hosts); err != nil {
		t.Fatal(err)
	}
	h, ok := hosts.Host["http://172.18.0.9:5000"]
	if hosts.Server != "http://172.18.0.9:5000" || !ok || !slices.Equal(h.Capabilities, []string{"pull", "resolve"}) {
		t.Errorf("hosts.toml = %+v", hosts)
	}
	cfg.Registry = ""
	if kc := kindConfig(cfg, cni.DefaultPodSubnet); len(kc.ContainerdConfigPatches) != 0 {
		t.Errorf("a cluster without a registry patches containerd: %q", kc.ContainerdConfigPatches)
	}
}
