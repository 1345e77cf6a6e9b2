package cni

import "github.com/netconform/netconform/framework/images"

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

// ciliumManifest is the draft of the manifest that installs Cilium (VXLAN,
// Kubernetes IPAM, kube-proxy kept, no L7 proxy). Untried on a cluster, so
// the descriptor does not reference it yet: Cilium stays detected-only,
// out of `netconform cni list` and `make matrix`, until it boots there.
const ciliumManifest = "cilium.yaml"

// ciliumParams are the draft manifest's parameters.
var ciliumParams = map[string]string{"PolicyEnforcement": "default"}

// Cilium: recognised on any cluster by its agent DaemonSet; its images
// build offline.
func init() {
	Register(Descriptor{
		Name:       "cilium",
		Version:    CiliumVersion,
		Namespace:  "kube-system",
		DaemonSets: []string{"cilium"},
		ImageMatch: "cilium",
		Images:     ciliumImages,
		Manifest:   ciliumManifest,
		Params:     ciliumParams,
	})
}
