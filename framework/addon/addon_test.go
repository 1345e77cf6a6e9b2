package addon

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/e2e-framework/klient/decoder"
	"sigs.k8s.io/e2e-framework/klient/k8s"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/kube"
)

// renderedObjects renders an add-on's manifest as its first step applies it.
func renderedObjects(t *testing.T, ctl Controller, manifest string, params map[string]string) []k8s.Object {
	t.Helper()
	out, err := render(ctl.AddOn, manifest, params)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("{{")) {
		t.Fatalf("unrendered template fields:\n%s", out)
	}
	objs, err := decoder.DecodeAll(context.Background(), bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestControllerManifests(t *testing.T) {
	for _, tc := range []struct {
		ctl      Controller
		manifest string
		params   map[string]string
		image    string
	}{
		{Traefik, traefikManifest, map[string]string{"Namespace": Traefik.Namespace, "Class": Traefik.Class, "Service": Traefik.Service,
			"Version": TraefikVersion, "StrictPrefixFlag": TraefikStrictPrefixFlag}, "docker.io/netconform/traefik:" + TraefikVersion},
		{HAProxy, haproxyManifest, map[string]string{"Namespace": HAProxy.Namespace, "Class": HAProxy.Class, "Service": HAProxy.Service,
			"Deployment": HAProxy.Deployment, "Version": HAProxyIngressVersion}, "docker.io/netconform/haproxy-ingress:" + HAProxyIngressVersion},
	} {
		t.Run(tc.ctl.AddOn, func(t *testing.T) {
			var class *netv1.IngressClass
			var dep *appsv1.Deployment
			var svc *corev1.Service
			for _, o := range renderedObjects(t, tc.ctl, tc.manifest, tc.params) {
				switch o := o.(type) {
				case *netv1.IngressClass:
					class = o
				case *appsv1.Deployment:
					dep = o
				case *corev1.Service:
					svc = o
				}
			}
			if class == nil || class.Name != tc.ctl.Class || class.Spec.Controller != tc.ctl.Controller {
				t.Errorf("IngressClass: want %s (controller %s), got %+v", tc.ctl.Class, tc.ctl.Controller, class)
			}
			if dep == nil || dep.Name != tc.ctl.Deployment || dep.Namespace != tc.ctl.Namespace || dep.Spec.Template.Spec.Containers[0].Image != tc.image {
				t.Fatalf("Deployment: want %s/%s running %s, got %+v", tc.ctl.Namespace, tc.ctl.Deployment, tc.image, dep)
			}
			if svc == nil || svc.Name != tc.ctl.Service || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
				t.Errorf("Service: want LoadBalancer %s, got %+v", tc.ctl.Service, svc)
			}
			published := false
			for _, a := range dep.Spec.Template.Spec.Containers[0].Args {
				published = published || strings.HasSuffix(a, "="+tc.ctl.Namespace+"/"+tc.ctl.Service)
			}
			if !published {
				t.Errorf("the controller does not publish its Service into Ingress status: %v", dep.Spec.Template.Spec.Containers[0].Args)
			}
		})
	}
}

func TestAddOnsRegistered(t *testing.T) {
	got, err := cluster.LookupAddOns("traefik", "haproxy")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		if len(a.Images()) != 1 || len(a.Steps()) < 2 {
			t.Errorf("add-on %s: want one image and at least two steps (apply, wait), got %v and %d", a.Name(), a.Images(), len(a.Steps()))
		}
	}
}

// The strict prefix switch reads and rewrites the one flag, keeping the
// others, so a Disruptive spec can turn it off and back on.
func TestTraefikStrictPrefixSwitch(t *testing.T) {
	out, err := render("traefik", traefikManifest, map[string]string{"Namespace": Traefik.Namespace, "Class": Traefik.Class,
		"Service": Traefik.Service, "Version": TraefikVersion, "StrictPrefixFlag": TraefikStrictPrefixFlag})
	if err != nil {
		t.Fatal(err)
	}
	var dep *appsv1.Deployment
	decoder.DecodeEach(context.Background(), bytes.NewReader(out), func(_ context.Context, o k8s.Object) error {
		if d, ok := o.(*appsv1.Deployment); ok {
			dep = d
		}
		return nil
	})
	cs := fake.NewClientset(dep)
	cl := &kube.Client{Clientset: cs}
	ctx := context.Background()
	if on, err := TraefikStrictPrefix(ctx, cl); err != nil || !on {
		t.Fatalf("the add-on must install Traefik with strict prefix matching on: %v %v", on, err)
	}
	before := dep.Spec.Template.Spec.Containers[0].Args
	// The fake API server runs no controller: the rollout wait would time
	// out, so only the patch is checked here.
	ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_ = SetTraefikStrictPrefix(ctx, cl, false)
	if on, err := TraefikStrictPrefix(context.Background(), cl); err != nil || on {
		t.Fatalf("strict prefix matching still on after switching it off: %v %v", on, err)
	}
	d, _ := cs.AppsV1().Deployments(Traefik.Namespace).Get(context.Background(), Traefik.Deployment, metav1.GetOptions{})
	after := d.Spec.Template.Spec.Containers[0].Args
	if len(after) != len(before) || !slices.Contains(after, TraefikStrictPrefixFlag+"=false") {
		t.Errorf("want the same args with %s=false, got %v (was %v)", TraefikStrictPrefixFlag, after, before)
	}
}

func TestControllerFor(t *testing.T) {
	if c, ok := ControllerFor("haproxy-ingress.github.io/controller"); !ok || c.Deployment != "haproxy-ingress" {
		t.Errorf("HAProxy Ingress's class not mapped to its Deployment: %+v %v", c, ok)
	}
	if _, ok := ControllerFor("k8s.io/ingress-nginx"); ok {
		t.Error("a controller netconform does not install was mapped")
	}
}
