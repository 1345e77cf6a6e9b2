package ingress

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// DefaultClassAnnotation marks the IngressClass that Ingresses without a
// class get (the admission plugin fills in ingressClassName).
const DefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class"

// Classes lists the cluster's IngressClass names, sorted.
func Classes(ctx context.Context, cs kubernetes.Interface) ([]string, error) {
	list, err := cs.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing IngressClasses: %w", err)
	}
	var out []string
	for _, c := range list.Items {
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out, nil
}

// Pod is one controller replica.
type Pod struct{ Name, Node, IP string }

// Controller is what serves one IngressClass on the cluster under test, as
// found there; its Descriptor (DescriptorFor(Name)) is what netconform
// knows of its kind.
type Controller struct {
	Class string
	// Name is the controller's spec.controller value in the class.
	Name string
	// Product is its descriptor's human name, when netconform knows it.
	Product string
	// Default is true when the class is marked default.
	Default bool
	// Namespace, Pods and Service: where the controller runs and how
	// traffic reaches it. Service is nil when none was found.
	Namespace string
	Pods      []Pod
	Service   *corev1.Service

	podLabels map[string]string
}

// String names the class, controller and pods, as failure messages need.
func (c *Controller) String() string {
	pods := make([]string, len(c.Pods))
	for i, p := range c.Pods {
		pods[i] = p.Name + " on " + p.Node
	}
	who := c.Name
	if c.Product != "" {
		who = c.Product + ", " + c.Name
	}
	where := "no pods found"
	if len(pods) > 0 {
		where = "pods " + c.Namespace + "/" + strings.Join(pods, ", ")
	}
	return fmt.Sprintf("IngressClass %s (%s; %s)", c.Class, who, where)
}

// Find resolves class to its controller: the IngressClass, the
// controller's pods (by the labels its descriptor declares, else by
// serviceRef "ns/name" or by the pods behind a NodePort or LoadBalancer
// Service whose image names the controller) and its Service.
func Find(ctx context.Context, cs kubernetes.Interface, class, serviceRef string) (*Controller, error) {
	ic, err := cs.NetworkingV1().IngressClasses().Get(ctx, class, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("IngressClass %s: %w", class, err)
	}
	c := &Controller{Class: class, Name: ic.Spec.Controller, Default: isDefault(ic)}
	d := DescriptorFor(c.Name)
	isKnown := d != nil && d.PodSelector != ""
	if d != nil {
		c.Product = d.Product
	}
	if serviceRef != "" {
		ns, name, ok := strings.Cut(serviceRef, "/")
		if !ok {
			return nil, fmt.Errorf("controller Service %q: want namespace/name", serviceRef)
		}
		if c.Service, err = cs.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{}); err != nil {
			return nil, fmt.Errorf("controller Service %s: %w", serviceRef, err)
		}
		return c, c.refreshPods(ctx, cs, labels.SelectorFromSet(c.Service.Spec.Selector).String(), ns)
	}
	if isKnown {
		if err := c.refreshPods(ctx, cs, d.PodSelector, ""); err != nil {
			return nil, err
		}
	}
	svcs, err := cs.CoreV1().Services("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing Services: %w", err)
	}
	// A Service reachable from outside (NodePort, LoadBalancer) is
	// preferred; a ClusterIP one still lets pods send requests.
	for _, outside := range []bool{true, false} {
		for i := range svcs.Items {
			s := &svcs.Items[i]
			external := s.Spec.Type == corev1.ServiceTypeNodePort || s.Spec.Type == corev1.ServiceTypeLoadBalancer
			if len(s.Spec.Selector) == 0 || external != outside {
				continue
			}
			if _, ok := HTTPPort(s); !ok {
				continue
			}
			if isKnown && (s.Namespace != c.Namespace || !selects(s, c.podLabels)) {
				continue
			}
			if !isKnown {
				match, err := c.imageMatches(ctx, cs, s)
				if err != nil {
					return c, err
				}
				if !match {
					continue
				}
			}
			c.Service = s
			break
		}
		if c.Service != nil {
			break
		}
	}
	if c.Service == nil {
		return c, fmt.Errorf("%s: no Service with an HTTP port selects the controller's pods (name it with -ingress-service namespace/name)", c)
	}
	if !isKnown {
		return c, c.refreshPods(ctx, cs, labels.SelectorFromSet(c.Service.Spec.Selector).String(), c.Service.Namespace)
	}
	return c, nil
}

// podLabels keeps the labels of the first pod found, to match Services.
func (c *Controller) podLabelsOf(p *corev1.Pod) { c.podLabels = p.Labels }

// RefreshPods re-reads the controller's pods (after a scale, say).
func (c *Controller) RefreshPods(ctx context.Context, cs kubernetes.Interface) error {
	if c.Service != nil {
		return c.refreshPods(ctx, cs, labels.SelectorFromSet(c.Service.Spec.Selector).String(), c.Service.Namespace)
	}
	if d := DescriptorFor(c.Name); d != nil && d.PodSelector != "" {
		return c.refreshPods(ctx, cs, d.PodSelector, c.Namespace)
	}
	return nil
}

func (c *Controller) refreshPods(ctx context.Context, cs kubernetes.Interface, selector, ns string) error {
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return fmt.Errorf("listing the pods of %s: %w", c.Class, err)
	}
	c.Pods = nil
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		if c.Namespace == "" {
			c.Namespace = p.Namespace
		}
		if p.Namespace != c.Namespace {
			continue
		}
		c.podLabelsOf(&p)
		c.Pods = append(c.Pods, Pod{Name: p.Name, Node: p.Spec.NodeName, IP: p.Status.PodIP})
	}
	if c.Namespace == "" && ns != "" {
		c.Namespace = ns
	}
	return nil
}

func selects(s *corev1.Service, podLabels map[string]string) bool {
	return podLabels != nil && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(podLabels))
}

// imageMatches: a Service of an unknown controller is one whose pods run
// an image named like the first label of the controller's domain
// ("contour" for projectcontour.io/ingress-controller).
func (c *Controller) imageMatches(ctx context.Context, cs kubernetes.Interface, s *corev1.Service) (bool, error) {
	hint := strings.Split(strings.Split(c.Name, "/")[0], ".")[0]
	hint = strings.TrimPrefix(hint, "project")
	if hint == "" {
		return false, nil
	}
	pods, err := cs.CoreV1().Pods(s.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(s.Spec.Selector).String()})
	if err != nil {
		return false, fmt.Errorf("%s: listing the pods behind Service %s/%s: %w", c, s.Namespace, s.Name, err)
	}
	for _, p := range pods.Items {
		for _, ct := range p.Spec.Containers {
			if strings.Contains(ct.Image, hint) {
				return true, nil
			}
		}
	}
	return false, nil
}

func isDefault(ic *networkingv1.IngressClass) bool {
	return ic.Annotations[DefaultClassAnnotation] == "true"
}

// HTTPPort is the Service's plain-HTTP port: named http or web, else 80.
func HTTPPort(s *corev1.Service) (corev1.ServicePort, bool) {
	return findPort(s, []string{"http", "web"}, 80)
}

// HTTPSPort is the Service's HTTPS port: named https or websecure, else 443.
func HTTPSPort(s *corev1.Service) (corev1.ServicePort, bool) {
	return findPort(s, []string{"https", "websecure"}, 443)
}

func findPort(s *corev1.Service, names []string, number int32) (corev1.ServicePort, bool) {
	for _, p := range s.Spec.Ports {
		if slices.Contains(names, p.Name) && p.Protocol != corev1.ProtocolUDP {
			return p, true
		}
	}
	for _, p := range s.Spec.Ports {
		if p.Port == number && p.Protocol != corev1.ProtocolUDP {
			return p, true
		}
	}
	return corev1.ServicePort{}, false
}

// Entry is one way a request reaches the controller.
type Entry struct {
	// Name says from where and through what, for failure messages:
	// "the runner's host → NodePort 172.18.0.3:31080 (node kind-worker)".
	Name string
	// InCluster entries are probed from a pod, the others from the runner.
	InCluster bool
	// HTTP and HTTPS are base URLs ("http://ip:port"); HTTPS is empty when
	// the controller's Service has no HTTPS port.
	HTTP, HTTPS string
}

// Entries lists how requests reach c: from the runner's host to every
// LoadBalancer address of its Service and to its NodePorts on the first
// node IP in nodeIPs (node name → IP), and from inside the cluster to its
// ClusterIP.
func (c *Controller) Entries(nodeIPs map[string]string) []Entry {
	s := c.Service
	if s == nil {
		return nil
	}
	hp, _ := HTTPPort(s)
	sp, hasTLS := HTTPSPort(s)
	mk := func(name, ip string, inCluster bool, http, https int32) Entry {
		e := Entry{Name: name, InCluster: inCluster, HTTP: "http://" + net.JoinHostPort(ip, strconv.Itoa(int(http)))}
		if hasTLS && https != 0 {
			e.HTTPS = "https://" + net.JoinHostPort(ip, strconv.Itoa(int(https)))
		}
		return e
	}
	var out []Entry
	for _, in := range s.Status.LoadBalancer.Ingress {
		if in.IP != "" {
			out = append(out, mk(fmt.Sprintf("the runner's host → LoadBalancer %s of Service %s/%s", in.IP, s.Namespace, s.Name), in.IP, false, hp.Port, sp.Port))
		}
	}
	if hp.NodePort != 0 {
		nodes := make([]string, 0, len(nodeIPs))
		for n := range nodeIPs {
			nodes = append(nodes, n)
		}
		sort.Strings(nodes)
		if len(nodes) > 0 {
			// The last node by name is a worker on kind (the control
			// plane sorts first); any node must do.
			n := nodes[len(nodes)-1]
			out = append(out, mk(fmt.Sprintf("the runner's host → NodePort of Service %s/%s on node %s", s.Namespace, s.Name, n), nodeIPs[n], false, hp.NodePort, sp.NodePort))
		}
	}
	if ip := s.Spec.ClusterIP; ip != "" && ip != corev1.ClusterIPNone {
		out = append(out, mk(fmt.Sprintf("a client pod → ClusterIP %s of Service %s/%s", ip, s.Namespace, s.Name), ip, true, hp.Port, sp.Port))
	}
	return out
}

// EntriesAt lists how requests reach c at addr, an address the controller
// published in an Ingress's status: a LoadBalancer address from the
// runner's host and from a pod, a ClusterIP from a pod, a node IP at the
// NodePort from the runner's host. Nil: addr is none of these.
func (c *Controller) EntriesAt(addr string, nodeIPs map[string]string) []Entry {
	var out []Entry
	for _, e := range c.Entries(nodeIPs) {
		if strings.Contains(e.HTTP, "//"+addr+":") || strings.Contains(e.HTTP, "//["+addr+"]:") {
			out = append(out, e)
		}
	}
	s := c.Service
	if s == nil {
		return out
	}
	hp, _ := HTTPPort(s)
	sp, hasTLS := HTTPSPort(s)
	for _, in := range s.Status.LoadBalancer.Ingress {
		if in.IP == addr {
			e := Entry{Name: fmt.Sprintf("a client pod → LoadBalancer %s of Service %s/%s", addr, s.Namespace, s.Name), InCluster: true,
				HTTP: "http://" + net.JoinHostPort(addr, strconv.Itoa(int(hp.Port)))}
			if hasTLS {
				e.HTTPS = "https://" + net.JoinHostPort(addr, strconv.Itoa(int(sp.Port)))
			}
			out = append(out, e)
		}
	}
	for n, ip := range nodeIPs {
		if ip == addr && hp.NodePort != 0 && !slices.ContainsFunc(out, func(e Entry) bool { return !e.InCluster && strings.Contains(e.HTTP, "//"+addr+":") }) {
			out = append(out, Entry{Name: fmt.Sprintf("the runner's host → NodePort of Service %s/%s on node %s", s.Namespace, s.Name, n),
				HTTP: "http://" + net.JoinHostPort(addr, strconv.Itoa(int(hp.NodePort)))})
		}
	}
	return out
}
