package cni

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const kubeRouterFilter = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-ROUTER-FORWARD - [0:0]
:KUBE-ROUTER-INPUT - [0:0]
:KUBE-ROUTER-OUTPUT - [0:0]
-A INPUT -m comment --comment "kube-router netpol - 4IA2OSFRMVNDXBVV" -j KUBE-ROUTER-INPUT
-A FORWARD -m comment --comment "kube-router netpol - TEMCG2JMHZYE7H7T" -j KUBE-ROUTER-FORWARD
-A OUTPUT -m comment --comment "kube-router netpol - VEAAIY32XVBHCSCY" -j KUBE-ROUTER-OUTPUT
COMMIT
`

func TestKubeRouterChainsFault(t *testing.T) {
	if fault := kubeRouterChainsFault(kubeRouterFilter); fault != "" {
		t.Errorf("every chain in place: %q", fault)
	}
	noJump := strings.Replace(kubeRouterFilter, "-A FORWARD -m comment --comment \"kube-router netpol - TEMCG2JMHZYE7H7T\" -j KUBE-ROUTER-FORWARD\n", "", 1)
	if fault := kubeRouterChainsFault(noJump); fault != "no jump from FORWARD to KUBE-ROUTER-FORWARD" {
		t.Errorf("jump removed: %q", fault)
	}
	if fault := kubeRouterChainsFault("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"); fault != "no KUBE-ROUTER-INPUT chain in its filter table" {
		t.Errorf("no chains: %q", fault)
	}
}

func TestExcludingNodeKeepsEveryTermAndAddsTheNode(t *testing.T) {
	if a := excludingNode(nil, "n2"); a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchFields[0].Values[0] != "n2" {
		t.Errorf("no affinity before: %+v", a)
	}
	linux := corev1.NodeSelectorRequirement{Key: "kubernetes.io/os", Operator: corev1.NodeSelectorOpIn, Values: []string{"linux"}}
	before := &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{linux}}, {MatchExpressions: []corev1.NodeSelectorRequirement{linux}}}}}}
	after := excludingNode(before, "n2")
	for i, term := range after.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		if len(term.MatchExpressions) != 1 || len(term.MatchFields) != 1 || term.MatchFields[0].Operator != corev1.NodeSelectorOpNotIn {
			t.Errorf("term %d: %+v", i, term)
		}
	}
	if len(before.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchFields) != 0 {
		t.Error("the affinity before was changed in place: the repair would not restore it")
	}
}

func TestPolicyOffCopyRunsOnTheNodeWithTheFlagOff(t *testing.T) {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-router", Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-router"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"k8s-app": "kube-router"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "kube-router", Args: []string{"--run-router=true", "--run-firewall=true"}}}},
			},
		},
	}
	var sw FlagSwitch = kubeRouterFirewall
	c := policyOffCopy(ds, "kube-router-policy-off", "n2", func(c *corev1.Container) {
		c.Args = append([]string{}, "--run-router=true", sw.Flag+"="+sw.Off)
	})
	if got := flagValue(c.Spec.Template.Spec.Containers[0].Args, "--run-firewall"); got != "false" {
		t.Errorf("copy runs with --run-firewall=%s", got)
	}
	if got := flagValue(ds.Spec.Template.Spec.Containers[0].Args, "--run-firewall"); got != "true" {
		t.Errorf("the original changed: --run-firewall=%s", got)
	}
	if c.Spec.Template.Labels["k8s-app"] != "kube-router" || c.Spec.Selector.MatchLabels[policyOffLabel] != "true" {
		t.Errorf("copy's pods are not found as the agent's, or its selector takes the agent's: %v %v", c.Spec.Template.Labels, c.Spec.Selector)
	}
	if _, shared := ds.Spec.Template.Labels[policyOffLabel]; shared {
		t.Error("the original's template got the copy's label")
	}
	if v := c.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchFields[0].Values; v[0] != "n2" {
		t.Errorf("copy runs on %v", v)
	}
}

func TestCiliumConfigValue(t *testing.T) {
	out := "##### Read-write configurations #####\nDebug                             : Disabled\nPolicyEnforcement                 : never\nPolicyTracing                     : Disabled\n"
	if got := ciliumConfigValue(out, "PolicyEnforcement"); got != "never" {
		t.Errorf("PolicyEnforcement = %q", got)
	}
	if got := ciliumConfigValue("PolicyEnforcement   default\n", "PolicyEnforcement"); got != "default" {
		t.Errorf("without a colon: %q", got)
	}
}
