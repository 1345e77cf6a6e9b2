package addon

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/netconform/netconform/framework/loadbalancer"
)

func TestCarvePoolTopOfTheNetwork(t *testing.T) {
	subnet := netip.MustParsePrefix("172.18.0.0/16")
	p, err := carvePool(subnet, netip.MustParseAddr("172.18.0.2"), 16)
	if err != nil {
		t.Fatal(err)
	}
	if p.String() != "172.18.255.207-172.18.255.222" {
		t.Errorf("pool of the control plane 172.18.0.2: %s", p)
	}
	if p.Contains(netip.MustParseAddr("172.18.255.255")) || !p.Contains(netip.MustParseAddr("172.18.255.210")) {
		t.Error("Contains")
	}
}

// Clusters on one kind network have control planes of distinct
// addresses, so their pools must not overlap.
func TestCarvePoolSlotsNeverOverlap(t *testing.T) {
	subnet := netip.MustParsePrefix("172.18.0.0/16")
	var pools []loadbalancer.Pool
	for i := 2; i < 40; i++ {
		p, err := carvePool(subnet, addr4(v4(subnet.Addr())+uint32(i)), 16)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range pools {
			if p.Contains(q.First) || p.Contains(q.Last) || q.Contains(p.First) {
				t.Fatalf("pools %s and %s overlap", p, q)
			}
		}
		if p.Contains(addr4(v4(subnet.Addr()) + uint32(i))) {
			t.Fatalf("pool %s holds its own control plane", p)
		}
		pools = append(pools, p)
	}
}

func TestCarvePoolRefusesWhatDoesNotFit(t *testing.T) {
	if _, err := carvePool(netip.MustParsePrefix("172.18.0.0/24"), netip.MustParseAddr("172.18.0.9"), 16); err == nil || !strings.Contains(err.Error(), "too small") {
		t.Errorf("a /24 with the control plane at .9: %v", err)
	}
	if _, err := carvePool(netip.MustParsePrefix("172.18.0.0/16"), netip.MustParseAddr("10.0.0.2"), 16); err == nil || !strings.Contains(err.Error(), "not on the kind network") {
		t.Errorf("a control plane elsewhere: %v", err)
	}
}

func TestManifestsRender(t *testing.T) {
	m, err := render("metallb", metalLBManifest, map[string]string{"Namespace": MetalLBNamespace, "Version": MetalLBVersion})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"docker.io/netconform/metallb-controller:" + MetalLBVersion, "docker.io/netconform/metallb-speaker:" + MetalLBVersion, "--webhook-mode=disabled", "hostNetwork: true"} {
		if !strings.Contains(string(m), want) {
			t.Errorf("manifest lacks %q", want)
		}
	}
	p, err := render("metallb-pool", metalLBPoolManifest, map[string]string{"Namespace": MetalLBNamespace, "Range": "172.18.255.207-172.18.255.222"})
	if err != nil || !strings.Contains(string(p), `addresses: ["172.18.255.207-172.18.255.222"]`) {
		t.Errorf("pool manifest: %v\n%s", err, p)
	}
}
