package rbac

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Rule grants verbs on resources of one API group, everywhere (the run's
// namespaces are created with generated names, so the namespaced rights
// cannot be bound in advance to a fixed set of namespaces).
type Rule struct {
	Group     string   // "" for the core group
	Resources []string // a subresource is "pods/exec"
	Verbs     []string
	// Why says what in the framework or the suites needs it.
	Why string
}

// Names of the two ClusterRoles.
const (
	RunnerRole     = "netconform-runner"
	DisruptiveRole = "netconform-disruptive"
)

// Runner is what a run without Disruptive specs needs: found by reading
// what the framework and the suites call, and checked by running every
// suite with nothing else bound (scripts/row.sh with LEAST_PRIVILEGE=1).
var Runner = []Rule{
	{"", []string{"namespaces"}, []string{"create", "get", "list", "update", "delete"},
		"one namespace per spec, labelled with the run ID (Pod Security level, the policy suites' namespace labels), listed and deleted by cleanup"},
	{"", []string{"pods"}, []string{"create", "get", "list", "watch", "update", "delete", "deletecollection"},
		"agent pods: created, watched until Ready, relabelled by the policy suites, deleted with their namespace (all at once, no grace); CNI agents' and Ingress controllers' pods read for detection and diagnosis"},
	{"", []string{"pods/exec"}, []string{"create", "get"},
		"one exec per probe batch in the agent pods (the WebSocket exec asks for create, older API servers for get)"},
	{"", []string{"services"}, []string{"create", "get", "list", "delete"},
		"the Services under test; the DNS Service and the Ingress controllers' Services read"},
	{"", []string{"nodes"}, []string{"get", "list"},
		"nodes Ready (preflight), their addresses and podCIDRs, the node × node mesh"},
	{"", []string{"events"}, []string{"list"},
		"MetalLB's events on a LoadBalancer Service, for diagnosis"},
	{"", []string{"configmaps"}, []string{"get"},
		"the CNI's options where they live in a ConfigMap (Cilium's cilium-config: whether it enforces NetworkPolicy, whether ipBlock selects pods)"},
	{"", []string{"secrets"}, []string{"create", "delete"},
		"the per-run TLS certificate of the Ingress TLS specs"},
	{"discovery.k8s.io", []string{"endpointslices"}, []string{"create", "list", "delete"},
		"a Service's endpoints, to say which ones answer when it does not; the Ingress specs' Services point at the process's kept backend pods through EndpointSlices of their own"},
	{"apps", []string{"daemonsets", "deployments"}, []string{"get", "list"},
		"the CNI, kube-proxy, CoreDNS, MetalLB and Ingress controllers detected from their DaemonSets and Deployments"},
	{"apps", []string{"deployments"}, []string{"create", "delete"},
		"the scaled agent Deployment of the ClusterIP specs"},
	{"apps", []string{"deployments/scale"}, []string{"get", "update"},
		"the ClusterIP specs scale their Deployment (found by running: forbidden without it)"},
	{"apps", []string{"replicasets"}, []string{"get"},
		"an Ingress controller's Deployment found through its pods' ReplicaSet"},
	{"networking.k8s.io", []string{"networkpolicies"}, []string{"create", "get", "list", "update", "delete", "deletecollection"},
		"the NetworkPolicy cases: applied, changed, deleted, and read back by the evaluator"},
	{"networking.k8s.io", []string{"ingresses"}, []string{"create", "get", "update", "delete"},
		"the Ingress specs"},
	{"networking.k8s.io", []string{"ingressclasses"}, []string{"get", "list"},
		"IngressClass discovery (also a feature detector)"},
	{"networking.k8s.io", []string{"servicecidrs"}, []string{"list"},
		"the Service CIDRs, for dual-stack detection and diagnosis"},
	{"rbac.authorization.k8s.io", []string{"clusterroles", "clusterrolebindings"}, []string{"list"},
		"cleanup finds every cluster-scoped kind a run may create by its run ID label"},
	{"metallb.io", []string{"ipaddresspools", "servicel2statuses", "configurationstates"}, []string{"get", "list"},
		"MetalLB's pool and state, read by the LoadBalancer specs where MetalLB runs"},
	{"authorization.k8s.io", []string{"selfsubjectaccessreviews"}, []string{"create"},
		"preflight checks these rules before any spec starts"},
}

// Disruptive is what the Disruptive specs need on top of Runner: they
// break system components on purpose and repair them (privileged node
// shells need no right beyond Runner's pods, only a namespace whose Pod
// Security level is privileged, which namespace creation already sets).
var Disruptive = []Rule{
	{"apps", []string{"daemonsets"}, []string{"create", "delete", "patch"},
		"kube-proxy and the MetalLB speaker deleted and recreated; the CNI's NetworkPolicy switch patched where it is a flag or a placement of its agents"},
	{"", []string{"configmaps"}, []string{"patch"},
		"the CNI's NetworkPolicy switch where it is an option in a ConfigMap (Cilium's enable-policy, which the running agents are then given through their API: Runner's pods/exec)"},
	{"apps", []string{"deployments"}, []string{"update", "patch"},
		"an Ingress controller scaled to 0 and back; Traefik's strict prefix matching switched off and on (CoreDNS is scaled to 0 and back through deployments/scale, which the runner role grants)"},
}

// Permission is one verb on one resource: what a SelfSubjectAccessReview
// asks and what an error names.
type Permission struct {
	Verb, Group, Resource, Subresource string
	Why                                string
}

func (p Permission) String() string {
	r := p.Resource
	if p.Subresource != "" {
		r += "/" + p.Subresource
	}
	if p.Group != "" {
		r += "." + p.Group
	}
	return p.Verb + " " + r
}

// clusterScoped are the resources of the rules that no namespace holds.
var clusterScoped = map[string]bool{"namespaces": true, "nodes": true, "ingressclasses": true, "servicecidrs": true,
	"clusterroles": true, "clusterrolebindings": true, "selfsubjectaccessreviews": true}

// Scope says where the permission is needed.
func (p Permission) Scope() string {
	if clusterScoped[p.Resource] {
		return "cluster scope"
	}
	return "in all namespaces"
}

// Permissions flattens rules into one Permission per verb and resource.
func Permissions(rules []Rule) []Permission {
	var out []Permission
	for _, r := range rules {
		for _, res := range r.Resources {
			resource, sub, _ := strings.Cut(res, "/")
			for _, v := range r.Verbs {
				out = append(out, Permission{Verb: v, Group: r.Group, Resource: resource, Subresource: sub, Why: r.Why})
			}
		}
	}
	return out
}

// Without returns rules minus one verb on one resource ("delete", "pods"
// or "pods/exec" or "networkpolicies.networking.k8s.io"), for proving that
// preflight names a missing permission; it fails when no rule grants it.
func Without(rules []Rule, verb, resource string) ([]Rule, error) {
	name, group, _ := strings.Cut(resource, ".")
	found := false
	var out []Rule
	for _, r := range rules {
		if !slices.Contains(r.Verbs, verb) || !slices.Contains(r.Resources, name) || (group != "" && r.Group != group) {
			out = append(out, r)
			continue
		}
		found = true
		// Split the rule: the verb stays on the other resources, the
		// other verbs on this one.
		if others := remove(r.Resources, name); len(others) > 0 {
			out = append(out, Rule{Group: r.Group, Resources: others, Verbs: r.Verbs, Why: r.Why})
		}
		if verbs := remove(r.Verbs, verb); len(verbs) > 0 {
			out = append(out, Rule{Group: r.Group, Resources: []string{name}, Verbs: verbs, Why: r.Why})
		}
	}
	if !found {
		return nil, fmt.Errorf("no rule grants %s on %s", verb, resource)
	}
	return out, nil
}

// ClusterRole is the ClusterRole holding rules.
func ClusterRole(name string, rules []Rule) *rbacv1.ClusterRole {
	cr := &rbacv1.ClusterRole{}
	cr.APIVersion, cr.Kind = "rbac.authorization.k8s.io/v1", "ClusterRole"
	cr.Name = name
	cr.Labels = map[string]string{"app.kubernetes.io/managed-by": "netconform"}
	for _, r := range rules {
		cr.Rules = append(cr.Rules, rbacv1.PolicyRule{APIGroups: []string{r.Group}, Resources: r.Resources, Verbs: r.Verbs})
	}
	return cr
}

func remove(list []string, s string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(x string) bool { return x == s })
}

// FromPolicy reads rules back from a ClusterRole's (without reasons).
func FromPolicy(rules []rbacv1.PolicyRule) []Rule {
	var out []Rule
	for _, r := range rules {
		for _, g := range r.APIGroups {
			out = append(out, Rule{Group: g, Resources: r.Resources, Verbs: r.Verbs})
		}
	}
	return out
}
