package cni

import (
	"context"
	"fmt"
	"strings"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
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
		Profile:            kubeRouterProfile,
		PolicySwitch:       kubeRouterFirewall,
		DiagnoseNodePolicy: kubeRouterDiagnoseNode,
	})
	// Flannel routes (VXLAN), kube-router enforces NetworkPolicy only:
	// how kube-router's user guide adds policy to a Flannel cluster
	// (--run-router=false --run-firewall=true --run-service-proxy=false).
	// A second data path under the same policy engine.
	Register(Descriptor{
		Name:               "flannel-kube-router",
		Version:            KubeRouterVersion,
		Namespace:          "kube-system",
		DaemonSets:         []string{"kube-router"},
		ImageMatch:         "kube-router",
		With:               "flannel",
		Images:             []images.Image{kubeRouterImage},
		Manifest:           "kube-router.yaml",
		Params:             map[string]string{"Firewall": kubeRouterFirewall.On, "Router": "false"},
		Match:              func(d Detected) bool { return !kubeRouterRoutes(d) },
		Profile:            kubeRouterProfile,
		PolicySwitch:       EngineSwitch{Label: "netconform.io/no-policy-engine"},
		DiagnoseNodePolicy: kubeRouterDiagnoseNode,
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

// kubeRouterDiagnoseNode checks the kube-router agent on node: that one
// runs there, with its firewall on, and that its policy chains exist and
// are jumped to from the built-in ones (iptables-save in the agent,
// which shares the node's network namespace).
func kubeRouterDiagnoseNode(ctx context.Context, cl *kube.Client, d Detected, node string) (NodeFinding, error) {
	pods, err := agentPods(ctx, cl, d, node)
	if err != nil {
		return NodeFinding{}, err
	}
	if len(pods) == 0 {
		return NodeFinding{Fault: fmt.Sprintf("no kube-router agent runs on %s (no pod of DaemonSet %s/%s there)", node, d.Namespace, d.DaemonSet)}, nil
	}
	p := pods[0]
	agent := p.Spec.Containers[0]
	if flagValue(agent.Args, kubeRouterFirewall.Flag) == kubeRouterFirewall.Off {
		return NodeFinding{Fault: fmt.Sprintf("kube-router on %s runs with %s=%s (pod %s)", node, kubeRouterFirewall.Flag, kubeRouterFirewall.Off, p.Name)}, nil
	}
	ref := kube.ContainerRef{Namespace: p.Namespace, Pod: p.Name, Container: agent.Name}
	out, err := cl.Exec(ctx, ref, []string{"iptables-save", "-t", "filter"}, nil)
	if err != nil {
		return NodeFinding{}, fmt.Errorf("iptables-save in %s on %s: %w", p.Name, node, err)
	}
	if fault := kubeRouterChainsFault(string(out)); fault != "" {
		return NodeFinding{Fault: fmt.Sprintf("kube-router on %s (pod %s): %s", node, p.Name, fault)}, nil
	}
	return NodeFinding{Checked: fmt.Sprintf("kube-router on %s (pod %s) runs with its firewall on and its KUBE-ROUTER-INPUT, -FORWARD and -OUTPUT chains in place", node, p.Name)}, nil
}

// kubeRouterChainsFault reads the filter table (iptables-save) for
// kube-router's top-level policy chains, each jumped to from its built-in
// chain: "" when all are there, else the first that is not.
func kubeRouterChainsFault(save string) string {
	lines := strings.Split(save, "\n")
	for _, builtin := range []string{"INPUT", "FORWARD", "OUTPUT"} {
		chain := "KUBE-ROUTER-" + builtin
		declared, jumped := false, false
		for _, l := range lines {
			declared = declared || strings.HasPrefix(l, ":"+chain+" ")
			jumped = jumped || strings.HasPrefix(l, "-A "+builtin+" ") && strings.Contains(l+" ", " -j "+chain+" ")
		}
		switch {
		case !declared:
			return "no " + chain + " chain in its filter table"
		case !jumped:
			return "no jump from " + builtin + " to " + chain
		}
	}
	return ""
}
