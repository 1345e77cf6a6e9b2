package cni

import (
	"strings"
	"testing"
)

func TestLookupUnknownListsKnown(t *testing.T) {
	_, err := Lookup("flanel")
	if err == nil || !strings.Contains(err.Error(), "kube-router") {
		t.Fatalf("want an error naming the known CNIs, got %v", err)
	}
}

func TestManifestUsesCatalogImage(t *testing.T) {
	p, err := Lookup("kube-router")
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Manifest("mirror:5000")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m), `image: "mirror:5000/netconform/kube-router:v2.1.0"`) {
		t.Errorf("manifest does not use the remapped image:\n%s", m)
	}
	if strings.Contains(string(m), "{{") {
		t.Error("manifest has unrendered template fields")
	}
}

func TestNoPolicyVariantSwitchesTheFirewallOff(t *testing.T) {
	for name, want := range map[string]string{"kube-router": "--run-firewall=true", "kube-router-nopolicy": "--run-firewall=false"} {
		p, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := p.Manifest("")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(m), want) {
			t.Errorf("%s: manifest lacks %s", name, want)
		}
	}
}
