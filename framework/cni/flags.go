package cni

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// FlagSwitch is a PolicySwitch that sets one flag of the agent container
// and rolls the agent DaemonSet out.
type FlagSwitch struct {
	Flag    string // e.g. "--run-firewall"
	On, Off string // its values that switch enforcement on and off
}

// Enforcing reports whether the detected agent runs with enforcement on:
// anything but the Off value (the flag's default included) is on.
func (s FlagSwitch) Enforcing(d Detected) bool { return flagValue(d.Args, s.Flag) != s.Off }

// SetPolicy rewrites the flag in the agent container's args and waits for
// every agent to run the new template.
func (s FlagSwitch) SetPolicy(ctx context.Context, cl *kube.Client, d Detected, enforce bool) error {
	dss := cl.Clientset.AppsV1().DaemonSets(d.Namespace)
	ds, err := dss.Get(ctx, d.DaemonSet, metav1.GetOptions{})
	if err != nil {
		return err
	}
	c := ds.Spec.Template.Spec.Containers[0]
	args := slices.DeleteFunc(slices.Clone(c.Args), func(a string) bool { return a == s.Flag || strings.HasPrefix(a, s.Flag+"=") })
	value := s.Off
	if enforce {
		value = s.On
	}
	args = append(args, s.Flag+"="+value)
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []map[string]any{{"name": c.Name, "args": args}}}}}})
	if err != nil {
		return err
	}
	if _, err := dss.Patch(ctx, d.DaemonSet, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("setting %s=%s on DaemonSet %s/%s: %w", s.Flag, value, d.Namespace, d.DaemonSet, err)
	}
	return cl.WaitDaemonSet(ctx, d.Namespace, d.DaemonSet, timeouts.Current.Rollout)
}

// flagValue returns the value of a --name=value or --name value flag in
// args; the last one wins, as with Go's and pflag's parsers. A boolean
// flag given bare is "true"; an absent flag is "".
func flagValue(args []string, name string) string {
	value := ""
	for i, a := range args {
		switch {
		case strings.HasPrefix(a, name+"="):
			value = strings.TrimPrefix(a, name+"=")
		case a == name && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-"):
			value = args[i+1]
		case a == name:
			value = "true"
		}
	}
	return value
}

// EngineSwitch switches a policy engine that runs beside another CNI (as
// kube-router beside Flannel) off by taking its agents off every node,
// with a nodeSelector on Label that no node carries, and on by dropping
// it. Flags cannot do it: kube-router refuses to run with its router, its
// firewall and its proxy all off. Pods stay routed by the other CNI;
// policies made while the engine is gone are not programmed.
type EngineSwitch struct {
	Label string
}

// SetPolicy places or removes the engine's agents and waits until every
// node runs one, or none does.
func (s EngineSwitch) SetPolicy(ctx context.Context, cl *kube.Client, d Detected, enforce bool) error {
	var value any = "true" // no node has the label: no agent anywhere
	if enforce {
		value = nil // a strategic merge patch deletes the key
	}
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"nodeSelector": map[string]any{s.Label: value}}}}})
	if err != nil {
		return err
	}
	if _, err := cl.Clientset.AppsV1().DaemonSets(d.Namespace).Patch(ctx, d.DaemonSet, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("placing DaemonSet %s/%s (on: %v): %w", d.Namespace, d.DaemonSet, enforce, err)
	}
	if enforce {
		return cl.WaitDaemonSet(ctx, d.Namespace, d.DaemonSet, timeouts.Current.Rollout)
	}
	return cl.WaitDaemonSetDrained(ctx, d.Namespace, d.DaemonSet, timeouts.Current.Rollout)
}

// ConfigSwitch is a PolicySwitch for a CNI whose options live in a
// ConfigMap (its descriptor's) and whose running agents take the mode at
// run time: it sets Key there, so that the configuration says what is in
// force and an agent that starts later reads it, then hands the value to
// every running agent (Cilium's enable-policy: "never" off, "default" on;
// restarting the agents instead would cost each its BPF compilation).
type ConfigSwitch struct {
	Key     string
	On, Off string
	// Live gives every running agent the value and returns once each
	// enforces accordingly.
	Live func(ctx context.Context, cl *kube.Client, d Detected, value string) error
	// LiveOnNode gives the running agent on one node the value; nil when
	// the CNI cannot be switched per node.
	LiveOnNode func(ctx context.Context, cl *kube.Client, d Detected, node, value string) error
}

// SetNodePolicy hands the value to the running agent on node only,
// leaving the ConfigMap as it is: the node is switched until its agent
// restarts (it then reads the ConfigMap, which enforcement-off never
// changed), and switching it on again gives it the On value.
func (s ConfigSwitch) SetNodePolicy(ctx context.Context, cl *kube.Client, d Detected, node string, enforce bool) error {
	if s.LiveOnNode == nil {
		return fmt.Errorf("%s: %s cannot be set on one node only", d.Name, s.Key)
	}
	value := s.Off
	if enforce {
		value = s.On
	}
	return s.LiveOnNode(ctx, cl, d, node, value)
}

// Enforcing reports whether the detected configuration leaves enforcement
// on: anything but the Off value (an absent key, the default, included).
func (s ConfigSwitch) Enforcing(d Detected) bool { return d.Config[s.Key] != s.Off }

// SetPolicy sets the key in the CNI's ConfigMap, then in the running
// agents.
func (s ConfigSwitch) SetPolicy(ctx context.Context, cl *kube.Client, d Detected, enforce bool) error {
	desc, ok := Describe(d.Name)
	if !ok || desc.ConfigMap == "" {
		return fmt.Errorf("%s: its descriptor names no ConfigMap for %s", d.Name, s.Key)
	}
	value := s.Off
	if enforce {
		value = s.On
	}
	patch, err := json.Marshal(map[string]any{"data": map[string]string{s.Key: value}})
	if err != nil {
		return err
	}
	if _, err := cl.Clientset.CoreV1().ConfigMaps(d.Namespace).Patch(ctx, desc.ConfigMap, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("setting %s=%s in ConfigMap %s/%s: %w", s.Key, value, d.Namespace, desc.ConfigMap, err)
	}
	return s.Live(ctx, cl, d, value)
}
