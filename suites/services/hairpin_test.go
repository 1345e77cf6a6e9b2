package services

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// nodeSide decides whether a hairpin's source address is the node's; a
// failed lookup must come back as the error it is, not as "not the
// node's", which fails the spec blaming the CNI for an API error.
func TestNodeSide(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "worker"},
		Spec:   corev1.NodeSpec{PodCIDRs: []string{"10.244.1.0/24"}},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "172.18.0.3"}}}}
	other := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "other"},
		Spec:   corev1.PodSpec{NodeName: "worker"},
		Status: corev1.PodStatus{PodIPs: []corev1.PodIP{{IP: "10.244.1.7"}}}}
	self := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "self"}, Spec: corev1.PodSpec{NodeName: "worker"}}
	ctx := context.Background()

	for _, c := range []struct {
		ip   string
		want bool
	}{
		{"169.254.42.1", true}, // link-local
		{"172.18.0.3", true},   // the node's address
		{"10.244.1.1", true},   // its bridge: in its podCIDR, no pod's
		{"10.244.1.7", false},  // another pod
		{"10.244.2.1", false},  // another node's podCIDR
	} {
		got, err := nodeSide(ctx, fake.NewClientset(node, other), self, c.ip)
		if err != nil || got != c.want {
			t.Errorf("nodeSide(%s) = %v, %v; want %v", c.ip, got, err, c.want)
		}
	}

	t.Run("the node cannot be read", func(t *testing.T) {
		cs := fake.NewClientset()
		_, err := nodeSide(ctx, cs, self, "10.244.1.1")
		if err == nil || !strings.Contains(err.Error(), "worker") {
			t.Errorf("err = %v, want the failed lookup of node worker", err)
		}
	})
	t.Run("the node's pods cannot be listed", func(t *testing.T) {
		cs := fake.NewClientset(node)
		cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, errors.New("pods is forbidden")
		})
		_, err := nodeSide(ctx, cs, self, "10.244.1.1")
		if err == nil || !strings.Contains(err.Error(), "forbidden") {
			t.Errorf("err = %v, want the failed listing", err)
		}
	})
}
