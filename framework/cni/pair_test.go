package cni

import (
	"bytes"
	"context"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/e2e-framework/klient/decoder"

	"github.com/netconform/netconform/framework/kube"
)

func withArgs(d *appsv1.DaemonSet, args ...string) *appsv1.DaemonSet {
	d.Spec.Template.Spec.Containers[0].Args = args
	return d
}

// Flannel beside kube-router's policy engine is that pair, not Flannel
// (which would make every policy spec unsupported); either alone is
// itself.
func TestPairIsDetectedBeforeEitherAlone(t *testing.T) {
	flannel := ds("kube-flannel", "kube-flannel-ds", "docker.io/netconform/flannel:v0.28.10", 3, 3)
	engine := withArgs(ds("kube-system", "kube-router", "docker.io/netconform/kube-router:v2.1.0", 3, 3), "--run-router=false", "--run-firewall=true")
	router := withArgs(ds("kube-system", "kube-router", "docker.io/netconform/kube-router:v2.1.0", 3, 3), "--run-router=true")
	cases := []struct {
		name    string
		objects []*appsv1.DaemonSet
		want    string
	}{
		{"flannel and kube-router enforcing only", []*appsv1.DaemonSet{flannel, engine}, "flannel-kube-router"},
		{"flannel alone", []*appsv1.DaemonSet{flannel}, "flannel"},
		{"kube-router routing", []*appsv1.DaemonSet{router}, "kube-router"},
		{"kube-router enforcing beside a CNI we do not know", []*appsv1.DaemonSet{engine}, "kube-router"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs := fake.NewClientset()
			for _, o := range c.objects {
				if err := cs.Tracker().Add(o.DeepCopy()); err != nil {
					t.Fatal(err)
				}
			}
			d, err := Detect(context.Background(), cs)
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != c.want {
				t.Fatalf("detected %s, want %s", d.Name, c.want)
			}
			if c.want == "flannel-kube-router" && len(ProfileFor(d).Unsupported) != 0 {
				t.Errorf("the pair enforces NetworkPolicy; its profile says %v", ProfileFor(d).Unsupported)
			}
		})
	}
}

// The pair's manifest is Flannel's, then kube-router enforcing only: no
// routing, no CNI configuration of its own; nodes get both images.
func TestPairManifestIsFlannelThenThePolicyEngine(t *testing.T) {
	p, err := Lookup("flannel-kube-router")
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Manifest("")
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decoder.DecodeAll(context.Background(), bytes.NewReader(m))
	if err != nil {
		t.Fatal(err)
	}
	var dss []string
	var engine *appsv1.DaemonSet
	for _, o := range objs {
		if d, ok := o.(*appsv1.DaemonSet); ok {
			dss = append(dss, d.Namespace+"/"+d.Name)
			if d.Name == "kube-router" {
				engine = d
			}
		}
	}
	if !slices.Equal(dss, []string{"kube-flannel/kube-flannel-ds", "kube-system/kube-router"}) {
		t.Fatalf("DaemonSets %v, want Flannel's then kube-router's", dss)
	}
	args := engine.Spec.Template.Spec.Containers[0].Args
	for _, want := range []string{"--run-router=false", "--run-firewall=true", "--run-service-proxy=false", "--enable-cni=false"} {
		if !slices.Contains(args, want) {
			t.Errorf("kube-router args %v lack %s", args, want)
		}
	}
	if len(engine.Spec.Template.Spec.InitContainers) != 0 || bytes.Contains(m, []byte("10-kube-router.conflist")) {
		t.Error("kube-router beside Flannel must not write a CNI configuration")
	}
	if got := p.ImageNames(); !slices.Equal(got, []string{"flannel", "kube-router"}) {
		t.Errorf("images %v, want flannel and kube-router", got)
	}
	if prof, err := p.Profile(); err != nil || len(prof.Unsupported) != 0 {
		t.Errorf("profile %v, %v: the pair is held to the whole policy contract", prof, err)
	}
}

// The pair's switch takes kube-router off every node and puts it back:
// its flags cannot, kube-router refusing to run with nothing to do. The
// fake API server has no DaemonSet controller: the status is set to what
// the real one reports once the pods are gone, and back.
func TestEngineSwitchPlacesThePolicyEngine(t *testing.T) {
	flannel := ds("kube-flannel", "kube-flannel-ds", "docker.io/netconform/flannel:v0.28.10", 3, 3)
	engine := withArgs(ds("kube-system", "kube-router", "docker.io/netconform/kube-router:v2.1.0", 3, 3), "--run-router=false", "--run-firewall=true")
	engine.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-router"}}
	cs := fake.NewClientset(flannel, engine)
	cl := &kube.Client{Clientset: cs}
	d, err := Detect(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := Describe(d.Name)
	dss := cs.AppsV1().DaemonSets("kube-system")
	for _, enforce := range []bool{false, true} {
		live, _ := dss.Get(context.Background(), "kube-router", metav1.GetOptions{})
		if enforce {
			live.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, NumberReady: 3, UpdatedNumberScheduled: 3, NumberAvailable: 3}
		} else {
			live.Status = appsv1.DaemonSetStatus{}
		}
		if _, err := dss.UpdateStatus(context.Background(), live, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := desc.PolicySwitch.SetPolicy(context.Background(), cl, d, enforce); err != nil {
			t.Fatalf("enforce=%v: %v", enforce, err)
		}
		live, _ = dss.Get(context.Background(), "kube-router", metav1.GetOptions{})
		_, placedNowhere := live.Spec.Template.Spec.NodeSelector["netconform.io/no-policy-engine"]
		if placedNowhere == enforce {
			t.Errorf("enforce=%v: nodeSelector %v", enforce, live.Spec.Template.Spec.NodeSelector)
		}
	}
}
