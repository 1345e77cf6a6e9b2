package cni

import (
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
)

// KubeRouterVersion is the kube-router netconform builds and installs.
const KubeRouterVersion = "v2.1.0"

// kubeRouterFirewall is kube-router's NetworkPolicy enforcement: on by
// default, off with --run-firewall=false (as when it only routes, next to
// another policy engine).
var kubeRouterFirewall = FlagSwitch{Flag: "--run-firewall", On: "true", Off: "false"}

// kube-router: pod routing between nodes (BGP, no overlay: kind nodes
// share one L2 network) and NetworkPolicy (iptables + ipset); kube-proxy
// keeps doing Services. Built from build/kube-router.
func init() {
	Register(Descriptor{
		Name:       "kube-router",
		Version:    KubeRouterVersion,
		Namespace:  "kube-system",
		DaemonSets: []string{"kube-router"},
		ImageMatch: "kube-router",
		Images: []images.Image{{Name: "kube-router", Ref: "docker.io/netconform/kube-router:" + KubeRouterVersion, Recipe: &images.GoImage{
			Module:  "build/kube-router",
			Package: "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router",
			LDFlags: "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=" + KubeRouterVersion,
			// iptables, ipset, ip and conntrack from the Debian network base.
			OnNetBase:  true,
			Dockerfile: "COPY bin /usr/local/bin/kube-router\nENTRYPOINT [\"/usr/local/bin/kube-router\"]\n",
		}}},
		Manifest: "kube-router.yaml",
		Params:   map[string]string{"Firewall": kubeRouterFirewall.On},
		Variants: []Variant{
			// A pure router, as deployed next to another policy engine:
			// pods are routed, NetworkPolicy is not enforced.
			{Name: "kube-router-nopolicy", Params: map[string]string{"Firewall": kubeRouterFirewall.Off}},
		},
		Profile: func(d Detected) map[feature.Feature]string {
			if !kubeRouterFirewall.Enforcing(d) {
				return withoutPolicy("kube-router runs with --run-firewall=false: it routes pods and enforces no NetworkPolicy")
			}
			return nil
		},
		PolicySwitch: kubeRouterFirewall,
	})
}
