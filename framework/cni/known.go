package cni

import "github.com/netconform/netconform/framework/feature"

// CNIs netconform recognises on any cluster but does not install (yet):
// how their agents are named, and what they declare they lack. An
// installable CNI has a file of its own instead.
func init() {
	for _, d := range []Descriptor{
		{Name: "calico", DaemonSets: []string{"calico-node"}, ImageMatch: "calico/node"},
		{Name: "kindnet", DaemonSets: []string{"kindnet"}, ImageMatch: "kindnetd", Profile: kindnetProfile},
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

// kindnetPolicy is kindnet's NetworkPolicy controller, part of its agent
// (kube-network-policies: each new connection's first packet judged in
// user space through NFQUEUE): on unless the agent runs with
// --network-policy=false.
var kindnetPolicy = FlagSwitch{Flag: "--network-policy", On: "true", Off: "false"}

// kindnetProfile reads from the running agent whether kindnet enforces
// NetworkPolicy. With its controller on, it is held to the contract: a
// node whose kernel cannot queue packets to it then shows in the policy
// specs' matrices, not in a declaration.
func kindnetProfile(d Detected) map[feature.Feature]string {
	if kindnetPolicy.Enforcing(d) {
		return nil
	}
	return withoutPolicy("kindnet runs with --network-policy=false: its NetworkPolicy controller is off")
}
