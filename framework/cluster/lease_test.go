package cluster

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/netconform/netconform/framework/cni"
)

func TestLiveLeasesDropsDeadProcesses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "2147483646"), nil, 0o644) // no such process
	os.WriteFile(filepath.Join(dir, "garbage"), nil, 0o644)
	if n := liveLeases(dir); n != 1 {
		t.Fatalf("live leases = %d, want 1", n)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("stale leases kept: %v", entries)
	}
}

func TestKindConfigHasWorkersAndNoDefaultCNI(t *testing.T) {
	cfg := Config{Workers: 2}
	cfg.defaults()
	kc := kindConfig(cfg, cni.DefaultPodSubnet)
	if len(kc.Nodes) != 3 || kc.Nodes[0].Role != "control-plane" || kc.Nodes[2].Role != "worker" {
		t.Errorf("nodes = %+v", kc.Nodes)
	}
	if !kc.Networking.DisableDefaultCNI || kc.Networking.PodSubnet != cni.DefaultPodSubnet {
		t.Errorf("networking = %+v", kc.Networking)
	}
}
