package addon

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/netconform/netconform/framework/feature"
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

// feature.LoadBalancer is decided from the registered descriptors: MetalLB
// as upstream and netconform build it, a cloud provider's nodes, and
// nothing on a kind cluster without one.
func TestLoadBalancerFeature(t *testing.T) {
	detect := func(objects ...runtime.Object) (bool, string) {
		t.Helper()
		set := feature.Set{}
		if err := loadbalancer.FeatureDetector.Detect(context.Background(), feature.Input{Client: fake.NewClientset(objects...)}, set); err != nil {
			t.Fatal(err)
		}
		return set.Supports(feature.LoadBalancer)
	}
	metallb := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "metallb-system", Name: "controller"},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: "quay.io/metallb/controller:v0.16.1"}}}}}}
	if ok, reason := detect(metallb); !ok || !strings.Contains(reason, "MetalLB runs (Deployment metallb-system/controller") {
		t.Errorf("MetalLB: %v %q", ok, reason)
	}
	ours := metallb.DeepCopy()
	ours.Spec.Template.Spec.Containers[0].Image = "docker.io/netconform/metallb-controller:v0.16.1"
	if ok, reason := detect(ours); !ok || !strings.Contains(reason, "MetalLB") {
		t.Errorf("netconform's MetalLB: %v %q", ok, reason)
	}
	cloud := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Spec: corev1.NodeSpec{ProviderID: "aws:///eu-west-1a/i-0abc"}}
	if ok, reason := detect(cloud); !ok || !strings.Contains(reason, "aws") {
		t.Errorf("cloud: %v %q", ok, reason)
	}
	kind := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Spec: corev1.NodeSpec{ProviderID: "kind://docker/nc/nc-worker"}}
	if ok, reason := detect(kind); ok || !strings.Contains(reason, "looked for the controllers of kube-vip cloud provider, cloud-provider-kind, MetalLB") {
		t.Errorf("kind without MetalLB: %v %q", ok, reason)
	}
}
