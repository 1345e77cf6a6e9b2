package cni

import "github.com/netconform/netconform/framework/feature"

// CNIs netconform recognises on any cluster but does not install (yet):
// how their agents are named, and what they declare they lack. An
// installable CNI has a file of its own instead.
func init() {
	for _, d := range []Descriptor{
		{Name: "calico", DaemonSets: []string{"calico-node"}, ImageMatch: "calico/node"},
		{Name: "kindnet", DaemonSets: []string{"kindnet"}, ImageMatch: "kindnetd",
			Profile: declared(withoutPolicy("kindnet's policy agent needs NFQUEUE, absent from these kernels"))},
		{Name: "weave", DaemonSets: []string{"weave-net"}, ImageMatch: "weaveworks/weave-kube"},
		{Name: "antrea", DaemonSets: []string{"antrea-agent"}, ImageMatch: "antrea-agent"},
		{Name: "canal", DaemonSets: []string{"canal"}},
		{Name: "kube-ovn", DaemonSets: []string{"kube-ovn-cni"}, ImageMatch: "kube-ovn"},
		{Name: "aws-vpc-cni", DaemonSets: []string{"aws-node"}, ImageMatch: "amazon-k8s-cni"},
		{Name: "azure-cni", DaemonSets: []string{"azure-cns", "azure-ip-masq-agent"}, ImageMatch: "azure-cns"},
	} {
		Register(d)
	}
}

// declared is a profile that does not depend on how the agent runs.
func declared(unsupported map[feature.Feature]string) func(Detected) map[feature.Feature]string {
	return func(Detected) map[feature.Feature]string { return unsupported }
}
