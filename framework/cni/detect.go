package cni

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Detected is the CNI found running on a cluster.
type Detected struct {
	Name      string `json:"name"`      // e.g. "calico", "kube-router"; "unknown" when nothing matched
	Namespace string `json:"namespace"` // of its agent DaemonSet
	DaemonSet string `json:"daemonSet"`
	Image     string `json:"image"`
	Version   string `json:"version"` // the image tag
	Ready     int32  `json:"ready"`   // agent pods ready
	Desired   int32  `json:"desired"` // agent pods scheduled
	// Args are the agent container's command and arguments: what a CNI
	// does can depend on them (kube-router's --run-firewall).
	Args []string `json:"args,omitempty"`
	// Config is the data of the ConfigMap its descriptor names (Cilium's
	// cilium-config, where its options live); nil when it names none or
	// the cluster has none.
	Config map[string]string `json:"config,omitempty"`
}

// Healthy reports whether every scheduled agent pod is ready.
func (d Detected) Healthy() bool { return d.Desired > 0 && d.Ready == d.Desired }

func (d Detected) String() string {
	if d.Name == Unknown {
		return "unknown CNI (no known agent DaemonSet)"
	}
	return fmt.Sprintf("%s %s (DaemonSet %s/%s, %d/%d agents ready)", d.Name, d.Version, d.Namespace, d.DaemonSet, d.Ready, d.Desired)
}

// Unknown is the name reported when no known agent runs.
const Unknown = "unknown"

// Detect finds which CNI runs, from its agent DaemonSet anywhere in the
// cluster, by the descriptors' DaemonSet names first and agent images
// second. It needs list on daemonsets.apps cluster-wide.
func Detect(ctx context.Context, cs kubernetes.Interface) (Detected, error) {
	list, err := cs.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return Detected{}, fmt.Errorf("listing DaemonSets to detect the CNI: %w", err)
	}
	items := list.Items
	sort.Slice(items, func(i, j int) bool {
		return items[i].Namespace+"/"+items[i].Name < items[j].Namespace+"/"+items[j].Name
	})
	// Pairs first: Flannel with kube-router's policy engine is that pair,
	// not Flannel alone.
	order := Profiled()
	sort.SliceStable(order, func(i, j int) bool { return descriptors[order[i]].With != "" && descriptors[order[j]].With == "" })
	for _, byImage := range []bool{false, true} {
		for _, name := range order {
			d := descriptors[name]
			if d.With != "" && !runs(items, descriptors[d.With], byImage) {
				continue
			}
			for _, ds := range items {
				if !matches(ds, d.DaemonSets, d.ImageMatch, byImage) {
					continue
				}
				found := describe(d.Name, ds, d.ImageMatch)
				if found.Config, err = readConfig(ctx, cs, d, ds.Namespace); err != nil {
					return Detected{}, err
				}
				if d.Match == nil || d.Match(found) {
					return found, nil
				}
			}
		}
	}
	return Detected{Name: Unknown}, nil
}

// readConfig reads the ConfigMap d names in the agent's namespace: nil
// when it names none or none exists (defaults apply). It needs get on
// configmaps there.
func readConfig(ctx context.Context, cs kubernetes.Interface, d *Descriptor, namespace string) (map[string]string, error) {
	if d.ConfigMap == "" {
		return nil, nil
	}
	cm, err := cs.CoreV1().ConfigMaps(namespace).Get(ctx, d.ConfigMap, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s's configuration (ConfigMap %s/%s) to know what it enforces: %w", d.Name, namespace, d.ConfigMap, err)
	}
	return cm.Data, nil
}

// runs reports whether one of the DaemonSets is d's agent.
func runs(items []appsv1.DaemonSet, d *Descriptor, byImage bool) bool {
	return d != nil && slices.ContainsFunc(items, func(ds appsv1.DaemonSet) bool { return matches(ds, d.DaemonSets, d.ImageMatch, byImage) })
}

func matches(ds appsv1.DaemonSet, names []string, image string, byImage bool) bool {
	if !byImage {
		return slices.Contains(names, ds.Name)
	}
	if image == "" {
		return false
	}
	for _, c := range ds.Spec.Template.Spec.Containers {
		if strings.Contains(c.Image, image) {
			return true
		}
	}
	return false
}

func describe(name string, ds appsv1.DaemonSet, image string) Detected {
	d := Detected{Name: name, Namespace: ds.Namespace, DaemonSet: ds.Name,
		Ready: ds.Status.NumberReady, Desired: ds.Status.DesiredNumberScheduled}
	containers := ds.Spec.Template.Spec.Containers
	if len(containers) > 0 {
		d.Image = containers[0].Image
	}
	if len(containers) > 0 {
		d.Args = append(slices.Clone(containers[0].Command), containers[0].Args...)
	}
	for _, c := range containers {
		if image != "" && strings.Contains(c.Image, image) {
			d.Image = c.Image
			d.Args = append(slices.Clone(c.Command), c.Args...)
		}
	}
	d.Version = imageTag(d.Image)
	if v := ds.Labels["app.kubernetes.io/version"]; v != "" && d.Version == "" {
		d.Version = v
	}
	return d
}

// imageTag returns the tag of an image reference ("" when it has none or
// only a digest).
func imageTag(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	slash := strings.LastIndex(ref, "/")
	if colon := strings.LastIndex(ref, ":"); colon > slash {
		return ref[colon+1:]
	}
	return ""
}
