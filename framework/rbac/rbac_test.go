package rbac

import (
	"context"
	"strings"
	"testing"

	authnv1 "k8s.io/api/authentication/v1"
	authv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

func TestWithoutRemovesExactlyOnePermission(t *testing.T) {
	before := Permissions(Runner)
	after, err := Without(Runner, "create", "pods/exec")
	if err != nil {
		t.Fatal(err)
	}
	got := Permissions(after)
	if len(got) != len(before)-1 {
		t.Fatalf("%d permissions left of %d, want one fewer", len(got), len(before))
	}
	for _, p := range got {
		if p.String() == "create pods/exec" {
			t.Fatalf("create pods/exec still granted")
		}
	}
	if _, err := Without(Runner, "escalate", "pods"); err == nil {
		t.Fatal("removing a verb no rule grants must fail")
	}
	// A group narrows the match: deployments are granted in apps only.
	if _, err := Without(Runner, "create", "deployments.extensions"); err == nil {
		t.Fatal("deployments.extensions is granted by no rule")
	}
}

func TestYAMLIsTheClusterRole(t *testing.T) {
	out, err := YAML(RunnerRole, "purpose", Runner)
	if err != nil {
		t.Fatal(err)
	}
	var back rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(out, &back); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := ClusterRole(RunnerRole, Runner)
	if back.Name != want.Name || len(back.Rules) != len(want.Rules) {
		t.Fatalf("read back %s with %d rules, want %s with %d", back.Name, len(back.Rules), want.Name, len(want.Rules))
	}
	for i := range want.Rules {
		if back.Rules[i].String() != want.Rules[i].String() {
			t.Errorf("rule %d: %v, want %v", i, back.Rules[i], want.Rules[i])
		}
	}
	if !strings.Contains(string(out), "# "+Runner[0].Why) {
		t.Errorf("the reasons are not comments of the YAML:\n%s", out)
	}
}

// denying answers every SelfSubjectAccessReview with allowed, except for
// the permission deny.
func denying(deny string) *fake.Clientset {
	cs := fake.NewClientset()
	cs.PrependReactor("create", "selfsubjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		r := a.(k8stesting.CreateAction).GetObject().(*authv1.SelfSubjectAccessReview)
		at := r.Spec.ResourceAttributes
		p := Permission{Verb: at.Verb, Group: at.Group, Resource: at.Resource, Subresource: at.Subresource}
		r.Status.Allowed = p.String() != deny
		return true, r, nil
	})
	return cs
}

func TestCheckNamesTheMissingPermission(t *testing.T) {
	ctx := context.Background()
	if err := Check(ctx, denying(""), RunnerRole, Runner); err != nil {
		t.Fatalf("every permission allowed: %v", err)
	}
	err := Check(ctx, denying("delete networkpolicies.networking.k8s.io"), RunnerRole, Runner)
	if err == nil {
		t.Fatal("a denied permission passed the check")
	}
	msg := err.Error()
	for _, want := range []string{"lacks 1 permission(s) of ClusterRole netconform-runner", "delete networkpolicies.networking.k8s.io (in all namespaces)", "netconform rbac role"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	err = Check(ctx, denying("list nodes"), RunnerRole, Runner)
	if err == nil || !strings.Contains(err.Error(), "list nodes (cluster scope)") {
		t.Errorf("a cluster-scoped resource is named as such: %v", err)
	}
}

func TestGrantBindsOnlyTheRoleAndWritesATokenKubeconfig(t *testing.T) {
	cs := fake.NewClientset()
	cs.PrependReactor("create", "serviceaccounts", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "token" {
			return false, nil, nil
		}
		return true, &authnv1.TokenRequest{Status: authnv1.TokenRequestStatus{Token: "the-token"}}, nil
	})
	sa := ServiceAccount{Namespace: "netconform", Name: "runner"}
	cfg := &rest.Config{Host: "https://192.0.2.1:6443", TLSClientConfig: rest.TLSClientConfig{CAData: []byte("CA")}}
	out, err := Grant(context.Background(), cs, cfg, sa)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := clientcmd.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	ctx := kc.Contexts[kc.CurrentContext]
	if kc.AuthInfos[ctx.AuthInfo].Token != "the-token" || kc.Clusters[ctx.Cluster].Server != cfg.Host || string(kc.Clusters[ctx.Cluster].CertificateAuthorityData) != "CA" {
		t.Fatalf("kubeconfig:\n%s", out)
	}
	crbs, _ := cs.RbacV1().ClusterRoleBindings().List(context.Background(), metav1.ListOptions{})
	if len(crbs.Items) != 1 || crbs.Items[0].RoleRef.Name != RunnerRole || crbs.Items[0].Subjects[0].Name != "runner" {
		t.Fatalf("bindings: %+v", crbs.Items)
	}
	// Again, with the Disruptive role and one verb fewer: a role of its
	// own, and no binding to the full runner role any more.
	rules, _ := Without(Runner, "list", "nodes")
	if _, err := Grant(context.Background(), cs, cfg, sa, WithRules(rules), WithDisruptive()); err != nil {
		t.Fatal(err)
	}
	role, err := cs.RbacV1().ClusterRoles().Get(context.Background(), customRole(sa), metav1.GetOptions{})
	if err != nil || len(Permissions(FromPolicy(role.Rules))) != len(Permissions(Runner))-1 {
		t.Fatalf("custom role: %v %v", role, err)
	}
	crbs, _ = cs.RbacV1().ClusterRoleBindings().List(context.Background(), metav1.ListOptions{})
	var bound []string
	for _, b := range crbs.Items {
		bound = append(bound, b.RoleRef.Name)
	}
	if strings.Join(bound, ",") != DisruptiveRole+","+customRole(sa) {
		t.Fatalf("bound to %v", bound)
	}
	if err := Revoke(context.Background(), cs, sa); err != nil {
		t.Fatal(err)
	}
	crbs, _ = cs.RbacV1().ClusterRoleBindings().List(context.Background(), metav1.ListOptions{})
	if len(crbs.Items) != 0 {
		t.Fatalf("after Revoke: %+v", crbs.Items)
	}
}

func TestParseServiceAccount(t *testing.T) {
	if sa, err := ParseServiceAccount("ns/name"); err != nil || sa != (ServiceAccount{"ns", "name"}) {
		t.Errorf("ns/name: %v %v", sa, err)
	}
	for _, bad := range []string{"name", "/name", "ns/", "a/b/c"} {
		if _, err := ParseServiceAccount(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
