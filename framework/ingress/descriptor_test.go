package ingress

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/netconform/netconform/framework/kube"
)

// The descriptors the tests find controllers by, as framework/addon
// registers them for the suites.
func init() {
	Register(Descriptor{Product: "Traefik", Controller: "traefik.io/ingress-controller", Version: "v3",
		PodSelector: "app.kubernetes.io/name=traefik",
		Lacks:       map[Behaviour]string{ExactOverPrefix: "its rules rank by length"},
		Breaks:      map[Behaviour]Break{PrefixPaths: {What: "its strict prefix matching is off"}}})
	Register(Descriptor{Product: "Detected Only", Controller: "example.com/detected"})
}

func TestRegisterRefusesADuplicateController(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a second descriptor of traefik.io/ingress-controller was taken")
		}
	}()
	Register(Descriptor{Product: "Traefik again", Controller: "traefik.io/ingress-controller"})
}

// A profile turns a declared deviation into a NotSupported reason naming
// the controller and its version; an unknown controller is held to all.
func TestProfileFromTheDescriptor(t *testing.T) {
	p := ProfileFor(&Controller{Name: "traefik.io/ingress-controller"})
	if why := p.Missing(ExactOverPrefix); why != "Traefik v3 does not do Exact beats Prefix of the same path: its rules rank by length" {
		t.Errorf("Missing(ExactOverPrefix) = %q", why)
	}
	if why := p.Missing(PrefixPaths); why != "" {
		t.Errorf("Missing(PrefixPaths) = %q, want none", why)
	}
	if why := ProfileFor(&Controller{Name: "projectcontour.io/ingress-controller"}).Missing(ExactOverPrefix); why != "" {
		t.Errorf("an unknown controller lacks %q", why)
	}
}

func TestBreakOf(t *testing.T) {
	if b, why := BreakOf("traefik.io/ingress-controller", PrefixPaths); why != "" || b.What != "its strict prefix matching is off" {
		t.Errorf("Traefik's Prefix break = %+v, %q", b, why)
	}
	for controller, want := range map[string]string{
		"example.com/detected":                 "Detected Only declares no switch that breaks Prefix paths matched by path element",
		"projectcontour.io/ingress-controller": "netconform knows no switch of controller projectcontour.io/ingress-controller",
	} {
		if _, why := BreakOf(controller, PrefixPaths); !strings.Contains(why, want) {
			t.Errorf("BreakOf(%s) = %q, want %q", controller, why, want)
		}
	}
}

// Stop scales the controller's Deployment to 0 and its repair scales it
// back to what it had.
func TestStopAndRepair(t *testing.T) {
	three := int32(3)
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "ctl", Namespace: "ing"}, Spec: appsv1.DeploymentSpec{Replicas: &three}}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "ctl-1", Namespace: "ing", OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "ctl"}}}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "ctl-1-a", Namespace: "ing", OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "ctl-1"}}}}
	cs := fake.NewClientset(dep, rs, pod)
	cl := &kube.Client{Clientset: cs}
	c := &Controller{Class: "c", Namespace: "ing", Pods: []Pod{{Name: "ctl-1-a"}}}
	replicas := func() int32 {
		d, err := cs.AppsV1().Deployments("ing").Get(context.Background(), "ctl", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return *d.Spec.Replicas
	}
	st, err := Stop(context.Background(), cl, c)
	if err != nil || st.Deployment != "ctl" || st.Replicas != 3 || replicas() != 0 {
		t.Fatalf("Stop = %+v, %v; replicas now %d", st, err, replicas())
	}
	// The fake API server runs no controller: the rollout wait times out.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = st.Repair(ctx)
	if replicas() != 3 {
		t.Errorf("after the repair: %d replicas, want 3", replicas())
	}
}

// After a scale to 0 the diagnosis still names the pods that served the
// class, says none runs now, and adds what the descriptor says.
func TestDiagnoseAfterTheControllerIsGone(t *testing.T) {
	found := &Controller{Class: "t", Name: "traefik.io/ingress-controller", Product: "Traefik", Namespace: "traefik",
		Pods: []Pod{{Name: "traefik-abc", Node: "worker"}}}
	cl := &kube.Client{Clientset: fake.NewClientset()}
	got := Diagnose(context.Background(), cl, found)
	if want := "IngressClass t (Traefik, traefik.io/ingress-controller; pods traefik/traefik-abc on worker) — now no controller pod runs"; got != want {
		t.Errorf("Diagnose = %q, want %q", got, want)
	}
	DescriptorFor("example.com/detected").Diagnose = func(context.Context, *kube.Client, *Controller) string { return "its own words" }
	defer func() { DescriptorFor("example.com/detected").Diagnose = nil }()
	other := &Controller{Class: "d", Name: "example.com/detected", Namespace: "d"}
	if got := Diagnose(context.Background(), cl, other); !strings.HasSuffix(got, "; its own words") {
		t.Errorf("Diagnose = %q, want the descriptor's words last", got)
	}
}
