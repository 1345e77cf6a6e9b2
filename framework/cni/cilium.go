package cni

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// CiliumVersion is the Cilium netconform builds: the one place it is
// written (build/cilium/go.mod requires the same, which a test checks).
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
// and the CNI plugin's): CiliumVersion, which Cilium spells without its v.
var ciliumLDFlags = "-X " + ciliumModule + "/pkg/version.ciliumVersion=" + strings.TrimPrefix(CiliumVersion, "v")

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

// ciliumPolicy is Cilium's enforcement mode: enable-policy in its
// ConfigMap, which an agent reads when it starts, and PolicyEnforcement in
// a running agent's configuration (`cilium-dbg config`): "default"
// enforces NetworkPolicy on the pods it selects, "never" enforces none.
var ciliumPolicy = ConfigSwitch{Key: "enable-policy", On: "default", Off: ciliumNoPolicy, Live: ciliumSetPolicy, LiveOnNode: ciliumSetPolicyOn}

const ciliumNoPolicy = "never"

// ciliumSetPolicy sets every running agent's enforcement mode through its
// API (`cilium-dbg config PolicyEnforcement=`, which bumps its policy
// revision and regenerates its endpoints) and waits until each agent's
// endpoints are ready at that revision, none enforcing anything when the
// mode is "never". That takes seconds, where restarting the agents took
// 13-32 s each way on a 2-core VM (they compile their BPF programs again).
func ciliumSetPolicy(ctx context.Context, cl *kube.Client, d Detected, mode string) error {
	return ciliumSetPolicyOn(ctx, cl, d, "", mode)
}

// ciliumSetPolicyOn is ciliumSetPolicy for the agent on node only ("":
// every agent). A node's agent keeps the mode until it restarts, when it
// reads the ConfigMap again.
func ciliumSetPolicyOn(ctx context.Context, cl *kube.Client, d Detected, node, mode string) error {
	pods, err := agentPods(ctx, cl, d, node)
	if err != nil {
		return err
	}
	if len(pods) == 0 {
		return fmt.Errorf("no pod of DaemonSet %s/%s (node %q)", d.Namespace, d.DaemonSet, node)
	}
	dbg := func(p corev1.Pod, args ...string) (string, error) { return ciliumDbgIn(ctx, cl, d, p, args...) }
	revision := map[string]int{} // agent pod -> the policy revision its change made
	for _, p := range pods {
		if _, err := dbg(p, "config", "PolicyEnforcement="+mode); err != nil {
			return err
		}
		out, err := dbg(p, "policy", "get")
		if err != nil {
			return err
		}
		if revision[p.Name], err = ciliumRevision(out); err != nil {
			return fmt.Errorf("cilium-dbg policy get in %s on %s: %w", p.Name, p.Spec.NodeName, err)
		}
	}
	return cl.Poll(ctx, timeouts.Current.Rollout, func() (string, error) {
		for _, p := range pods {
			out, err := dbg(p, "endpoint", "list", "-o", "jsonpath="+ciliumRealizedFields)
			if err != nil {
				return "", err
			}
			if pending := ciliumPending(out, revision[p.Name], mode == ciliumNoPolicy); pending != "" {
				return fmt.Sprintf("cilium on %s, PolicyEnforcement=%s: %s", p.Spec.NodeName, mode, pending), nil
			}
		}
		return "", nil
	})
}

// ciliumRealizedFields are, for each endpoint of `cilium-dbg endpoint
// list`, its ID, state, the policy revision it realized and the
// directions it enforces.
const ciliumRealizedFields = `{range [*]}{.id}{" "}{.status.state}{" "}{.status.policy.realized.policy-revision}{" "}{.status.policy.realized.policy-enabled}{"\n"}{end}`

// ciliumRevision reads the "Revision: N" line that ends `cilium-dbg
// policy get`.
func ciliumRevision(out string) (int, error) {
	for _, line := range slices.Backward(strings.Split(strings.TrimSpace(out), "\n")) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Revision:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("no Revision line in %q", out)
}

// ciliumPending names the first endpoint (ciliumRealizedFields' lines)
// not yet ready at revision, or still enforcing when none may: "" when
// every one is.
func ciliumPending(list string, revision int, off bool) string {
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		f := append(strings.Fields(line), "", "", "")
		if f[0] == "" {
			continue
		}
		realized, _ := strconv.Atoi(f[2]) // none realized yet: 0
		enforcing := cmp.Or(f[3], "none")
		switch {
		case f[1] != "ready" || realized < revision:
			return fmt.Sprintf("endpoint %s is %s at policy revision %d of %d", f[0], f[1], realized, revision)
		case off && enforcing != "none":
			return fmt.Sprintf("endpoint %s still enforces policy (%s)", f[0], enforcing)
		}
	}
	return ""
}

// Cilium: eBPF data path, VXLAN overlay, NetworkPolicy in eBPF; its
// options live in the cilium-config ConfigMap.
func init() {
	Register(Descriptor{
		Name:               "cilium",
		Version:            CiliumVersion,
		Namespace:          "kube-system",
		DaemonSets:         []string{"cilium"},
		ImageMatch:         "cilium",
		ConfigMap:          "cilium-config",
		Images:             ciliumImages,
		Manifest:           ciliumManifest,
		Params:             map[string]string{"PolicyEnforcement": ciliumPolicy.On},
		Profile:            ciliumProfile,
		PolicySwitch:       ciliumPolicy,
		ServiceProxy:       ciliumServiceProxy,
		DiagnosePolicy:     ciliumDiagnosePolicy,
		DiagnoseNodePolicy: ciliumDiagnoseNode,
	})
}

// ciliumServiceProxy: Cilium translates ClusterIPs (and LoadBalancer IPs)
// in each pod's eBPF program even with kube-proxy-replacement=false, as
// `cilium-dbg service list` shows on our install; kube-proxy then serves
// only the nodes' own and external traffic.
func ciliumServiceProxy(d Detected) string {
	return "Cilium's eBPF load balancer, in each pod's data path (kube-proxy-replacement=" + cmp.Or(d.Config["kube-proxy-replacement"], "false") + "; kube-proxy, where it runs, serves the nodes' own and external traffic)"
}

// ciliumProfile reads what Cilium enforces from its configuration.
func ciliumProfile(d Detected) map[feature.Feature]string {
	// In tunnel mode (its default) the eBPF program of the pod's device
	// encapsulates and sends traffic for another node's pods itself; the
	// node's route to that pod CIDR (via cilium_host) serves only the
	// node's own traffic.
	unsupported := map[feature.Feature]string{}
	if mode := cmp.Or(d.Config["routing-mode"], "tunnel"); mode == "tunnel" {
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

// ciliumEndpointFields are what `cilium-dbg endpoint list` says of one
// endpoint, one line each: its ID, security identity, which directions it
// enforces policy in, and its state.
const ciliumEndpointFields = `{range [*]}{.status.networking.addressing[0].ipv4}{" endpoint "}{.id}{", identity "}{.status.identity.id}{", enforcing "}{.status.policy.realized.policy-enabled}{", "}{.status.state}{"\n"}{end}`

// ciliumDiagnosePolicy asks the agents on both sides of each flow: the
// agent's health, the destination's endpoint (identity, enforcement), and
// the identity the source's address maps to there. A source whose
// identity is missing or reserved, or an endpoint enforcing nothing, says
// why a policy did not apply.
func ciliumDiagnosePolicy(ctx context.Context, cl *kube.Client, d Detected, flows []Flow) string {
	var b strings.Builder
	// Cells share nodes: each command runs once per node.
	asked := map[string]string{}
	dbg := func(node string, args ...string) string {
		key := node + "\x00" + strings.Join(args, "\x00")
		if out, ok := asked[key]; ok {
			return out
		}
		out := ciliumDbg(ctx, cl, d, node, args...)
		asked[key] = out
		return out
	}
	for _, f := range flows {
		fmt.Fprintf(&b, "%s: %s -> %s: expected %s, observed %s\n", f.What, f.Src, f.Dst, f.Expected, f.Observed)
		for _, side := range []Endpoint{f.Src, f.Dst} {
			status := dbg(side.Node, "status", "--brief")
			var endpoint string
			for _, line := range strings.Split(dbg(side.Node, "endpoint", "list", "-o", "jsonpath="+ciliumEndpointFields), "\n") {
				if strings.HasPrefix(line, side.IP+" ") {
					endpoint = strings.TrimPrefix(line, side.IP+" ")
				}
			}
			if endpoint == "" {
				endpoint = "no Cilium endpoint holds " + side.IP
			}
			fmt.Fprintf(&b, "  cilium on %s (status %s): %s/%s is %s\n", side.Node, status, side.Namespace, side.Pod, endpoint)
		}
		peer := ciliumIdentitySummary(dbg(f.Dst.Node, "ip", "get", f.Src.IP+"/32"))
		fmt.Fprintf(&b, "  cilium on %s maps the source %s to an identity with %s\n", f.Dst.Node, f.Src.IP, peer)
	}
	return strings.TrimRight(b.String(), "\n")
}

// ciliumIdentitySummary shortens `cilium-dbg ip get`'s table to the
// labels that tell whose identity an address has: reserved ones (world,
// host, health), CIDR ones, the pod's namespace; the rest are counted.
func ciliumIdentitySummary(table string) string {
	var keep []string
	others := 0
	for _, f := range strings.Fields(table) {
		switch {
		case f == "IP" || f == "IDENTITY" || f == "SOURCE" || strings.Contains(f, "/32") || f == "custom-resource" || f == "local" || f == "kvstore":
		case strings.HasPrefix(f, "reserved:"), strings.HasPrefix(f, "cidr:"), strings.HasPrefix(f, "k8s:io.kubernetes.pod.namespace="):
			keep = append(keep, f)
		default:
			others++
		}
	}
	if len(keep) == 0 && others == 0 {
		return "no labels: " + strings.Join(strings.Fields(table), " ")
	}
	return fmt.Sprintf("labels %s and %d more", strings.Join(keep, " "), others)
}

// ciliumDbg runs cilium-dbg in the agent on node; what fails is said in
// its place.
func ciliumDbg(ctx context.Context, cl *kube.Client, d Detected, node string, args ...string) string {
	pods, err := agentPods(ctx, cl, d, node)
	if err == nil && len(pods) == 0 {
		err = fmt.Errorf("no pod of DaemonSet %s/%s on node %s", d.Namespace, d.DaemonSet, node)
	}
	if err != nil {
		return err.Error()
	}
	out, err := ciliumDbgIn(ctx, cl, d, pods[0], args...)
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(out)
}

// ciliumDbgIn runs cilium-dbg in the agent pod p; the error names the
// command, the pod, its node and what the command said.
func ciliumDbgIn(ctx context.Context, cl *kube.Client, d Detected, p corev1.Pod, args ...string) (string, error) {
	ref := kube.ContainerRef{Namespace: d.Namespace, Pod: p.Name, Container: "cilium-agent"}
	out, err := cl.Exec(ctx, ref, append([]string{"cilium-dbg"}, args...), nil)
	if err != nil {
		return "", fmt.Errorf("cilium-dbg %s in %s on %s: %w: %s", strings.Join(args, " "), p.Name, p.Spec.NodeName, err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// ciliumDiagnoseNode checks the Cilium agent on node: its enforcement
// mode (PolicyEnforcement in `cilium-dbg config`), and its endpoints,
// each ready and at the policy revision it should have realized.
func ciliumDiagnoseNode(ctx context.Context, cl *kube.Client, d Detected, node string) (NodeFinding, error) {
	pods, err := agentPods(ctx, cl, d, node)
	if err != nil {
		return NodeFinding{}, err
	}
	if len(pods) == 0 {
		return NodeFinding{Fault: fmt.Sprintf("no Cilium agent runs on %s (no pod of DaemonSet %s/%s there)", node, d.Namespace, d.DaemonSet)}, nil
	}
	p := pods[0]
	config, err := ciliumDbgIn(ctx, cl, d, p, "config")
	if err != nil {
		return NodeFinding{}, err
	}
	mode := ciliumConfigValue(config, "PolicyEnforcement")
	if mode == ciliumNoPolicy {
		return NodeFinding{Fault: fmt.Sprintf("cilium on %s runs with PolicyEnforcement=%s (pod %s)", node, mode, p.Name)}, nil
	}
	policy, err := ciliumDbgIn(ctx, cl, d, p, "policy", "get")
	if err != nil {
		return NodeFinding{}, err
	}
	revision, err := ciliumRevision(policy)
	if err != nil {
		return NodeFinding{}, fmt.Errorf("cilium-dbg policy get in %s on %s: %w", p.Name, node, err)
	}
	list, err := ciliumDbgIn(ctx, cl, d, p, "endpoint", "list", "-o", "jsonpath="+ciliumRealizedFields)
	if err != nil {
		return NodeFinding{}, err
	}
	if pending := ciliumPending(list, revision, false); pending != "" {
		return NodeFinding{Fault: fmt.Sprintf("cilium on %s (pod %s): %s", node, p.Name, pending)}, nil
	}
	return NodeFinding{Checked: fmt.Sprintf("cilium on %s (pod %s) runs with PolicyEnforcement=%s, every endpoint ready at policy revision %d", node, p.Name, cmp.Or(mode, "unknown"), revision)}, nil
}

// ciliumConfigValue is the value of key in `cilium-dbg config`'s output
// (one "Key   value" line per option), "" when absent.
func ciliumConfigValue(out, key string) string {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(strings.ReplaceAll(line, ":", " "))
		if len(f) >= 2 && f[0] == key {
			return f[len(f)-1]
		}
	}
	return ""
}
