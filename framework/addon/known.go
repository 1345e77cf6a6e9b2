package addon

import (
	"github.com/netconform/netconform/framework/ingress"
	"github.com/netconform/netconform/framework/loadbalancer"
)

// Implementations netconform recognises on any cluster but does not
// install: how to find them, so that a failure names them. One netconform
// installs has a file of its own instead.
func init() {
	for _, d := range []loadbalancer.Descriptor{
		{Name: "kube-vip cloud provider", ControllerImages: []string{"kube-vip-cloud-provider"}},
		{Name: "cloud-provider-kind", ControllerImages: []string{"cloud-provider-kind"}},
	} {
		loadbalancer.Register(d)
	}
	for _, d := range []ingress.Descriptor{
		{Product: "F5 NGINX Ingress Controller", Controller: "nginx.org/ingress-controller", PodSelector: "app.kubernetes.io/name=nginx-ingress"},
		{Product: "ingress-nginx", Controller: "k8s.io/ingress-nginx", PodSelector: "app.kubernetes.io/name=ingress-nginx"},
	} {
		ingress.Register(d)
	}
}
