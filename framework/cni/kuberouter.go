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

// kubeRouterImage is kube-router's agent, built from build/kube-router:
// the CNI and the policy engine beside Flannel run the same image.
var kubeRouterImage = images.Image{Name: "kube-router", Ref: "docker.io/netconform/kube-router:" + KubeRouterVersion, Recipe: &images.GoImage{
	Module:  "build/kube-router",
	Package: "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router",
	LDFlags: "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=" + KubeRouterVersion,
	// iptables, ipset, ip and conntrack from the Debian network base.
	OnNetBase:  true,
	Dockerfile: "COPY bin /usr/local/bin/kube-router\nENTRYPOINT [\"/usr/local/bin/kube-router\"]\n",
}}

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
		Images:     []images.Image{kubeRouterImage},
		Manifest:   "kube-router.yaml",
		Params:     map[string]string{"Firewall": kubeRouterFirewall.On, "Router": "true"},
		Variants: []Variant{
			// A pure router, as deployed next to another policy engine:
			// pods are routed, NetworkPolicy is not enforced.
			{Name: "kube-router-nopolicy", Params: map[string]string{"Firewall": kubeRouterFirewall.Off}},
		},
		Profile:      kubeRouterProfile,
		PolicySwitch: kubeRouterFirewall,
	})
	// Flannel routes (VXLAN), kube-router enforces NetworkPolicy only:
	// how kube-router's user guide adds policy to a Flannel cluster
	// (--run-router=false --run-firewall=true --run-service-proxy=false).
	// A second data path under the same policy engine.
	Register(Descriptor{
		Name:         "flannel-kube-router",
		Version:      KubeRouterVersion,
		Namespace:    "kube-system",
		DaemonSets:   []string{"kube-router"},
		ImageMatch:   "kube-router",
		With:         "flannel",
		Images:       []images.Image{kubeRouterImage},
		Manifest:     "kube-router.yaml",
		Params:       map[string]string{"Firewall": kubeRouterFirewall.On, "Router": "false"},
		Match:        func(d Detected) bool { return !kubeRouterRoutes(d) },
		Profile:      kubeRouterProfile,
		PolicySwitch: EngineSwitch{Label: "netconform.io/no-policy-engine"},
	})
}

// kubeRouterRoutes reports whether the detected kube-router routes pods
// (--run-router, on by default) rather than only enforcing policy.
func kubeRouterRoutes(d Detected) bool { return flagValue(d.Args, "--run-router") != "false" }

func kubeRouterProfile(d Detected) map[feature.Feature]string {
	if !kubeRouterFirewall.Enforcing(d) {
		return withoutPolicy("kube-router runs with --run-firewall=false: it enforces no NetworkPolicy")
	}
	return nil
}
