package cni

import (
	"github.com/netconform/netconform/framework/feature"
	"github.com/netconform/netconform/framework/images"
)

// FlannelVersion is the Flannel netconform builds and installs.
const FlannelVersion = "v0.28.10"

// Flannel: a VXLAN overlay between nodes (its default backend), each
// node's subnet from its Node object (kube subnet manager), pod traffic
// leaving the pod network masqueraded by flanneld. It enforces no
// NetworkPolicy: its docs send you to another engine
// (Documentation/netpol.md in its repository), and its own policy add-on
// is not one netconform installs. Built from
// build/flannel; the CNI configuration (bridge + host-local) is written by
// our manifest from flanneld's subnet.env, as flannel's CNI plugin is not
// buildable offline.
func init() {
	Register(Descriptor{
		Name:       "flannel",
		Version:    FlannelVersion,
		Namespace:  "kube-flannel",
		DaemonSets: []string{"kube-flannel-ds", "kube-flannel", "flannel"},
		ImageMatch: "flannel",
		Images: []images.Image{{Name: "flannel", Ref: "docker.io/netconform/flannel:" + FlannelVersion, Recipe: &images.GoImage{
			Module:  "build/flannel",
			Package: "github.com/flannel-io/flannel",
			LDFlags: "-X github.com/flannel-io/flannel/pkg/version.Version=" + FlannelVersion,
			// iptables for its masquerade and forward rules, sh for the
			// CNI configuration sidecar.
			OnNetBase: true,
			// Its UDP backend is C on amd64; flannel's own build enables cgo there.
			CGO:        true,
			Binary:     "flannel",
			Dockerfile: "COPY bin /usr/local/bin/flanneld\nENTRYPOINT [\"/usr/local/bin/flanneld\"]\n",
		}}},
		Manifest: "flannel.yaml",
		Profile: func(Detected) map[feature.Feature]string {
			return withoutPolicy("flannel routes pods and enforces no NetworkPolicy (its documentation defers policy to another engine)")
		},
	})
}
