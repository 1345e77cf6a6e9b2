package cluster

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/netconform/netconform/framework/images"
)

// hostsDir is where the nodes' containerd (1.6, Debian bookworm) reads
// per-registry hosts.toml files once its CRI plugin has a config_path.
const hostsDir = "/etc/containerd/certs.d"

// registryHostsDir is the containerd patch kind applies to every node
// (restarting containerd) before kubeadm runs: registries are then
// configured by hosts.toml files, which containerd reads at each pull.
const registryHostsDir = `[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "` + hostsDir + `"
`

// hostsTOML makes containerd pull from a registry over plain HTTP.
func hostsTOML(host string) string {
	return fmt.Sprintf("server = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n", "http://"+host, "http://"+host)
}

// trustRegistry writes hosts.toml for registry (host:port[/path]) on every
// node. A reused cluster created without Registry has no config_path:
// containerd would ignore the file, so that is an error.
func trustRegistry(ctx context.Context, nodeList []nodes.Node, registry string) error {
	host, _, _ := strings.Cut(registry, "/")
	script := fmt.Sprintf(`set -e
grep -q 'config_path = "%[1]s"' /etc/containerd/config.toml || { echo "containerd has no config_path %[1]s: the cluster was created without --registry; recreate it" >&2; exit 1; }
mkdir -p '%[1]s/%[2]s'
cat > '%[1]s/%[2]s/hosts.toml' <<'NETCONFORM_EOF'
%[3]sNETCONFORM_EOF
`, hostsDir, host, hostsTOML(host))
	return onEveryNode(nodeList, func(n nodes.Node) error {
		var out bytes.Buffer
		cmd := n.CommandContext(ctx, "sh", "-c", script)
		cmd.SetStdout(&out)
		cmd.SetStderr(&out)
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%w: %s", err, out.String())
		}
		return nil
	})
}

// loaded are the images to load into the nodes: all the steps need, but
// with a registry not the suites' own, which the nodes must pull.
func loaded(names []string, registry string) []string {
	if registry == "" {
		return names
	}
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return slices.Contains(images.RunImages, n) })
}
