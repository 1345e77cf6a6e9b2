package cni

import (
	"maps"
	"slices"
	"strings"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
)

// CiliumVersion is the Cilium netconform builds.
const CiliumVersion = "v1.20.2"

// The Cilium images, built from build/cilium only when asked for (by name,
// or by a cluster whose CNI is Cilium): the agent alone compiles for tens
// of minutes cold, more than the CI rows can spend on a CNI they do not run.
const (
	CiliumAgentImage    = "cilium"
	CiliumOperatorImage = "cilium-operator"
)

// ciliumModule is the upstream module; its version is pinned by build/cilium.
const ciliumModule = "github.com/cilium/cilium"

// ciliumLDFlags set the version `cilium-agent --version` and the agents'
// status report (the agent compares its own version with the operator's
// and the CNI plugin's).
const ciliumLDFlags = "-X " + ciliumModule + "/pkg/version.ciliumVersion=1.20.2"

// ciliumImages are the agent image (agent, CNI plugin, health prober and
// its responder, the debug CLI, the BPF sources and the compiler the agent
// builds them with at run time) and the operator's.
var ciliumImages = []images.Image{
	{Name: CiliumAgentImage, Ref: "docker.io/netconform/cilium:" + CiliumVersion, OnDemand: true, Recipe: &images.GoImage{
		Module:  "build/cilium",
		Package: ciliumModule + "/daemon",
		Packages: []string{
			ciliumModule + "/plugins/cilium-cni",
			ciliumModule + "/cilium-health",
			ciliumModule + "/cilium-health/responder",
			ciliumModule + "/cilium-dbg",
		},
		LDFlags: ciliumLDFlags,
		// Cilium's own builds use the pure-Go user lookup.
		Tags: "osusergo",
		// iptables, ipset, ip and kmod from the network base. The agent
		// runs `clang` (and no other LLVM tool: its loader compiles
		// straight to BPF objects) on its bpf/ tree at start and for each
		// endpoint; Cilium wants LLVM >= 18.1, bookworm has clang-19.
		OnNetBase:  true,
		Debian:     []string{"clang-19"},
		ModuleDirs: []images.ModuleDir{{Module: ciliumModule, Dir: "bpf"}},
		// The agent looks for its BPF sources in <lib-dir>/bpf,
		// /var/lib/cilium/bpf by default. The CNI plugin waits in
		// /opt/cni/bin for the init container that copies it to the node.
		Dockerfile: `COPY bin /usr/bin/cilium-agent
COPY cilium-cni /opt/cni/bin/cilium-cni
COPY cilium-health /usr/bin/cilium-health
COPY responder /usr/bin/cilium-health-responder
COPY cilium-dbg /usr/bin/cilium-dbg
COPY bpf/ /var/lib/cilium/bpf/
RUN ln -s /usr/bin/clang-19 /usr/local/bin/clang \
 && ln -s cilium-dbg /usr/bin/cilium \
 && chmod -R a+rX /var/lib/cilium/bpf \
 && clang --version
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin
WORKDIR /home/cilium
CMD ["/usr/bin/cilium-dbg"]
`,
	}},
	{Name: CiliumOperatorImage, Ref: "docker.io/netconform/cilium-operator-generic:" + CiliumVersion, OnDemand: true, Recipe: &images.GoImage{
		Module:  "build/cilium",
		Package: ciliumModule + "/operator",
		LDFlags: ciliumLDFlags,
		// The generic operator: the cluster-pool and multi-pool IPAM
		// allocators, no cloud provider's.
		Tags:       "osusergo,ipam_provider_operator",
		Dockerfile: "COPY bin /usr/bin/cilium-operator-generic\nENTRYPOINT [\"/usr/bin/cilium-operator-generic\"]\n",
	}},
}

// ciliumManifest installs Cilium: VXLAN, Kubernetes IPAM, kube-proxy
// kept, no L7 proxy, ipBlock matching pods.
const ciliumManifest = "cilium.yaml"

// ciliumPolicy is Cilium's enforcement mode (enable-policy in its
// ConfigMap): "default" enforces NetworkPolicy on the pods it selects,
// "never" enforces none. Agents read it when they start.
var ciliumPolicy = ConfigSwitch{Key: "enable-policy", On: "default", Off: "never"}

// Cilium: eBPF data path, VXLAN overlay, NetworkPolicy in eBPF; its
// options live in the cilium-config ConfigMap.
func init() {
	Register(Descriptor{
		Name:         "cilium",
		Version:      CiliumVersion,
		Namespace:    "kube-system",
		DaemonSets:   []string{"cilium"},
		ImageMatch:   "cilium",
		ConfigMap:    "cilium-config",
		Images:       ciliumImages,
		Manifest:     ciliumManifest,
		Params:       map[string]string{"PolicyEnforcement": ciliumPolicy.On},
		Profile:      ciliumProfile,
		PolicySwitch: ciliumPolicy,
		ServiceProxy: ciliumServiceProxy,
	})
}

// ciliumServiceProxy: Cilium translates ClusterIPs (and LoadBalancer IPs)
// in each pod's eBPF program even with kube-proxy-replacement=false, as
// `cilium-dbg service list` shows on our install; kube-proxy then serves
// only the nodes' own and external traffic.
func ciliumServiceProxy(d Detected) string {
	return "Cilium's eBPF load balancer, in each pod's data path (kube-proxy-replacement=" + orDefault(d.Config["kube-proxy-replacement"], "false") + "; kube-proxy, where it runs, serves the nodes' own and external traffic)"
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ciliumProfile reads what Cilium enforces from its configuration.
func ciliumProfile(d Detected) map[feature.Feature]string {
	// In tunnel mode (its default) the eBPF program of the pod's device
	// encapsulates and sends traffic for another node's pods itself; the
	// node's route to that pod CIDR (via cilium_host) serves only the
	// node's own traffic.
	unsupported := map[feature.Feature]string{}
	if mode := orDefault(d.Config["routing-mode"], "tunnel"); mode == "tunnel" {
		unsupported[feature.NodeRoutes] = "Cilium in tunnel mode sends pod traffic into the tunnel from the pod's eBPF program, past the node's routes to the other pod CIDRs (routing-mode=tunnel)"
	}
	if !ciliumPolicy.Enforcing(d) {
		maps.Copy(unsupported, withoutPolicy("Cilium runs with enable-policy=never: it enforces no NetworkPolicy"))
		return unsupported
	}
	// Its docs (Kubernetes NetworkPolicy; Layer 3 policy, "Selecting pods
	// or nodes with CIDR / ipBlock"): ipBlock rules do not match
	// in-cluster addresses unless policy-cidr-match-mode includes "pods".
	if !slices.Contains(strings.FieldsFunc(d.Config["policy-cidr-match-mode"], isListSep), "pods") {
		mode := d.Config["policy-cidr-match-mode"]
		if mode == "" {
			mode = "unset"
		}
		unsupported[feature.IPBlock] = "Cilium's ipBlock rules match no pod address unless policy-cidr-match-mode includes pods (Cilium docs: Kubernetes NetworkPolicy, ipBlock); here it is " + mode
	}
	return unsupported
}

// isListSep separates the items of a list option in Cilium's ConfigMap
// (spaces or commas, as its option parser takes them).
func isListSep(r rune) bool { return r == ' ' || r == ',' }
