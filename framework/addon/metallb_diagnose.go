package addon

import (
	"context"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/loadbalancer"
)

// describeMetalLB says, for the failure message of a LoadBalancer check,
// what MetalLB is doing for svc (nil: in general): whether its controller
// and speakers run, and where, which node announces the Service's
// address, MetalLB's events on the Service and its configuration state.
func describeMetalLB(ctx context.Context, cl *kube.Client, svc *corev1.Service) loadbalancer.State {
	deps, err := cl.Clientset.AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return loadbalancer.State{Text: "MetalLB: listing Deployments: " + err.Error()}
	}
	var controller *appsv1.Deployment
	for i := range deps.Items {
		if _, ok := loadbalancer.RunsImage(deps.Items[i].Spec.Template.Spec, metalLBControllerImages); ok {
			controller = &deps.Items[i]
			break
		}
	}
	if controller == nil {
		return loadbalancer.State{Text: "MetalLB is not installed (no Deployment runs its controller)"}
	}
	st := loadbalancer.State{Installed: true, Assigning: controller.Status.ReadyReplicas > 0}
	ns := controller.Namespace
	parts := []string{fmt.Sprintf("controller %s/%s: %d of %d pods ready (%s)", ns, controller.Name,
		controller.Status.ReadyReplicas, replicas(controller), podsOf(ctx, cl, ns, controller.Spec.Selector))}
	speaker, err := metalLBSpeakers(ctx, cl)
	switch {
	case err != nil:
		parts = append(parts, "speaker: "+err.Error())
	case speaker == nil:
		parts = append(parts, "speaker not running: no DaemonSet runs MetalLB's speaker, so no node announces any address")
	default:
		s := speaker.Status
		st.Announcing = s.NumberReady > 0
		desc := fmt.Sprintf("speaker %s/%s: %d of %d pods ready (%s)", speaker.Namespace, speaker.Name, s.NumberReady, s.DesiredNumberScheduled,
			podsOf(ctx, cl, speaker.Namespace, speaker.Spec.Selector))
		if !st.Announcing {
			desc = "speaker not running: " + desc
		}
		parts = append(parts, desc)
	}
	if svc != nil {
		parts = append(parts, announcers(ctx, cl, ns, svc))
		if ev := metalLBEvents(ctx, cl, svc); ev != "" {
			parts = append(parts, "its events on the Service so far: "+ev)
		}
	}
	parts = append(parts, configStates(ctx, cl, ns))
	st.Text = "MetalLB " + strings.Join(parts, "; ")
	return st
}

func replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

// metalLBSpeakers returns the DaemonSet that runs MetalLB's speaker, in
// any namespace; nil when there is none.
func metalLBSpeakers(ctx context.Context, cl *kube.Client) (*appsv1.DaemonSet, error) {
	dss, err := cl.Clientset.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing DaemonSets: %w", err)
	}
	for i := range dss.Items {
		if _, ok := loadbalancer.RunsImage(dss.Items[i].Spec.Template.Spec, metalLBSpeakerImages); ok {
			return &dss.Items[i], nil
		}
	}
	return nil, nil
}

// podsOf lists the pods a selector picks, with their node and state.
func podsOf(ctx context.Context, cl *kube.Client, ns string, sel *metav1.LabelSelector) string {
	selector, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return err.Error()
	}
	pods, err := cl.Clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return "pods: " + err.Error()
	}
	if len(pods.Items) == 0 {
		return "no pods"
	}
	var out []string
	for i := range pods.Items {
		p := &pods.Items[i]
		out = append(out, fmt.Sprintf("%s on %s %s", p.Name, p.Spec.NodeName, kube.PodState(p)))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// announcedServices maps each Service ("namespace/name") that a MetalLB
// speaker announces in layer 2 to the nodes announcing it ("n1" or, while
// one hands over to another, "n1, n2"), from the speakers'
// ServiceL2Status objects in MetalLB's namespace ns.
func announcedServices(ctx context.Context, cl *kube.Client, ns string) (map[string]string, error) {
	dyn, err := dynamic.NewForConfig(cl.Config)
	if err != nil {
		return nil, err
	}
	list, err := dyn.Resource(metallbGroup.WithResource("servicel2statuses")).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing ServiceL2Status in %s: %w", ns, err)
	}
	return announcedFrom(list.Items), nil
}

// announcedFrom reads ServiceL2Status objects: Service (namespace/name) →
// the nodes announcing it. An object whose status the speaker has not
// written yet names no Service and no node, and announces nothing.
func announcedFrom(items []unstructured.Unstructured) map[string]string {
	nodes := map[string][]string{}
	for _, s := range items {
		name, _, _ := unstructured.NestedString(s.Object, "status", "serviceName")
		namespace, _, _ := unstructured.NestedString(s.Object, "status", "serviceNamespace")
		node, _, _ := unstructured.NestedString(s.Object, "status", "node")
		if name == "" || node == "" {
			continue
		}
		nodes[namespace+"/"+name] = append(nodes[namespace+"/"+name], node)
	}
	out := map[string]string{}
	for svc, n := range nodes {
		sort.Strings(n)
		out[svc] = strings.Join(n, ", ")
	}
	return out
}

// announcers says which nodes announce svc, from the speakers'
// ServiceL2Status objects.
func announcers(ctx context.Context, cl *kube.Client, ns string, svc *corev1.Service) string {
	all, err := announcedServices(ctx, cl, ns)
	if err != nil {
		return "announcing node: " + err.Error()
	}
	nodes := all[svc.Namespace+"/"+svc.Name]
	if nodes == "" {
		return "no node announces " + svc.Namespace + "/" + svc.Name + " (no ServiceL2Status for it)"
	}
	return "announced by node " + nodes
}

// metalLBEvents are the recent events MetalLB recorded on svc (address
// allocation, node assignment, failures).
func metalLBEvents(ctx context.Context, cl *kube.Client, svc *corev1.Service) string {
	evs, err := cl.Clientset.CoreV1().Events(svc.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Service,involvedObject.name=" + svc.Name})
	if err != nil {
		return "listing events: " + err.Error()
	}
	sort.Slice(evs.Items, func(i, j int) bool { return evs.Items[i].LastTimestamp.Before(&evs.Items[j].LastTimestamp) })
	var out []string
	for _, e := range evs.Items {
		if strings.HasPrefix(e.Source.Component, "metallb") {
			out = append(out, fmt.Sprintf("%s %s: %s", e.Type, e.Reason, e.Message))
		}
	}
	if len(out) > 5 {
		out = out[len(out)-5:]
	}
	return strings.Join(out, " | ")
}

// configStates summarises MetalLB's ConfigurationState objects: whether
// the controller and each speaker accepted the configuration.
func configStates(ctx context.Context, cl *kube.Client, ns string) string {
	dyn, err := dynamic.NewForConfig(cl.Config)
	if err != nil {
		return "configuration: " + err.Error()
	}
	list, err := dyn.Resource(metallbGroup.WithResource("configurationstates")).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "configuration: listing ConfigurationState: " + err.Error()
	}
	var out []string
	for _, s := range list.Items {
		result, _, _ := unstructured.NestedString(s.Object, "status", "result")
		d := s.GetName() + " " + result
		if summary, _, _ := unstructured.NestedString(s.Object, "status", "errorSummary"); summary != "" {
			d += " (" + summary + ")"
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return "configuration: no ConfigurationState reported"
	}
	sort.Strings(out)
	return "configuration: " + strings.Join(out, ", ")
}
