package cni

import (
	"context"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
)

func TestLookupUnknownListsKnown(t *testing.T) {
	_, err := Lookup("flanel")
	if err == nil || !strings.Contains(err.Error(), "kube-router") {
		t.Fatalf("want an error naming the known CNIs, got %v", err)
	}
	if _, err := Lookup("calico"); err == nil {
		t.Error("a CNI netconform only detects must not be installable")
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
	if !strings.Contains(string(m), `namespace: "kube-system"`) {
		t.Error("manifest does not put the agents in the descriptor's namespace")
	}
	if strings.Contains(string(m), "{{") {
		t.Error("manifest has unrendered template fields")
	}
	if images.Ref("kube-router") != "docker.io/netconform/kube-router:v2.1.0" {
		t.Error("the descriptor did not register its image")
	}
}

func TestNoPolicyVariantSwitchesTheFirewallOff(t *testing.T) {
	for name, want := range map[string]string{"kube-router": "--run-firewall=true", "kube-router-nopolicy": "--run-firewall=false"} {
		renderedManifest(t, name, want)
	}
}

// The variant without policy is found from what its manifest runs, not
// from a list kept beside it.
func TestVariantsWithoutAFeature(t *testing.T) {
	got, err := Variants("kube-router", feature.NetworkPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"kube-router-nopolicy"}) {
		t.Errorf("variants without NetworkPolicy = %v", got)
	}
	all, err := Variants("kube-router-nopolicy", "")
	if err != nil || !slices.Equal(all, []string{"kube-router", "kube-router-nopolicy"}) {
		t.Errorf("all variants = %v, %v", all, err)
	}
	if got, _ := Variants("kube-router", feature.SCTP); len(got) != 0 {
		t.Errorf("no kube-router variant declares SCTP missing, got %v", got)
	}
}

func TestEveryInstallableHasWhatItNeeds(t *testing.T) {
	for _, name := range Known() {
		p, _ := Lookup(name)
		if p.Version == "" || p.Namespace == "" || len(p.Images) == 0 {
			t.Errorf("%s: a descriptor that installs needs a version, a namespace and images", name)
		}
		if _, err := p.Profile(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		d, ok := Describe(p.Descriptor.Name)
		if !ok || d != p.Descriptor {
			t.Errorf("%s: not described", name)
		}
	}
}

func TestFlagSwitch(t *testing.T) {
	router := ds("kube-system", "kube-router", "docker.io/netconform/kube-router:v2.1.0", 3, 3)
	router.Spec.Template.Spec.Containers[0].Args = []string{"--run-router=true", "--run-firewall=true", "--health-port=20244"}
	router.Status.UpdatedNumberScheduled, router.Status.NumberAvailable = 3, 3
	cl := &kube.Client{Clientset: fake.NewClientset(router)}
	d, err := Detect(context.Background(), cl.Clientset)
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := Describe(d.Name)
	for _, enforce := range []bool{false, true} {
		if err := desc.PolicySwitch.SetPolicy(context.Background(), cl, d, enforce); err != nil {
			t.Fatal(err)
		}
		live, _ := cl.Clientset.AppsV1().DaemonSets("kube-system").Get(context.Background(), "kube-router", metav1.GetOptions{})
		args := live.Spec.Template.Spec.Containers[0].Args
		want := []string{"--run-router=true", "--health-port=20244", "--run-firewall=" + map[bool]string{true: "true", false: "false"}[enforce]}
		if !slices.Equal(args, want) {
			t.Errorf("enforce=%v: args %q, want %q", enforce, args, want)
		}
		if got := kubeRouterFirewall.Enforcing(Detected{Args: args}); got != enforce {
			t.Errorf("enforce=%v: the profile reads the switched agent as enforcing=%v", enforce, got)
		}
	}
}

// renderedManifest renders an installable CNI's manifest as built locally
// and checks it holds every one of wants.
func renderedManifest(t *testing.T, name string, wants ...string) (Plugin, []byte) {
	t.Helper()
	p, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Manifest("")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range wants {
		if !strings.Contains(string(m), want) {
			t.Errorf("%s manifest lacks %s", name, want)
		}
	}
	return p, m
}
