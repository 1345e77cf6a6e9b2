package rbac

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ServiceAccount names the identity a run uses.
type ServiceAccount struct{ Namespace, Name string }

func (s ServiceAccount) String() string { return s.Namespace + "/" + s.Name }

// ParseServiceAccount reads "namespace/name".
func ParseServiceAccount(s string) (ServiceAccount, error) {
	ns, name, ok := strings.Cut(s, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return ServiceAccount{}, fmt.Errorf("service account %q: want namespace/name", s)
	}
	return ServiceAccount{Namespace: ns, Name: name}, nil
}

type grantOptions struct {
	rules      []Rule
	disruptive bool
	duration   time.Duration
}

// GrantOption tunes Grant.
type GrantOption func(*grantOptions)

// WithRules binds these rules instead of Runner, in a ClusterRole of the
// ServiceAccount's own (to show what a run does without one of them).
func WithRules(rules []Rule) GrantOption { return func(o *grantOptions) { o.rules = rules } }

// WithDisruptive also binds the Disruptive role.
func WithDisruptive() GrantOption { return func(o *grantOptions) { o.disruptive = true } }

// WithDuration asks for a token valid this long (default 2h; the API
// server may shorten it).
func WithDuration(d time.Duration) GrantOption { return func(o *grantOptions) { o.duration = d } }

// Grant creates (or updates) the ServiceAccount, the ClusterRoles and the
// ClusterRoleBindings that bind it to them and nothing else, and returns a
// kubeconfig for the same API server authenticating with a token of the
// ServiceAccount (TokenRequest). cfg is the admin's client configuration:
// it gives the server address and CA.
func Grant(ctx context.Context, cs kubernetes.Interface, cfg *rest.Config, sa ServiceAccount, opts ...GrantOption) ([]byte, error) {
	o := grantOptions{rules: Runner, duration: 2 * time.Hour}
	for _, opt := range opts {
		opt(&o)
	}
	custom := !sameRules(o.rules, Runner)
	labels := map[string]string{"app.kubernetes.io/managed-by": "netconform"}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: sa.Namespace, Labels: labels}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("namespace %s: %w", sa.Namespace, err)
	}
	acct := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa.Name, Namespace: sa.Namespace, Labels: labels}}
	if _, err := cs.CoreV1().ServiceAccounts(sa.Namespace).Create(ctx, acct, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("service account %s: %w", sa, err)
	}
	roles := map[string][]Rule{RunnerRole: Runner}
	if custom {
		roles = map[string][]Rule{customRole(sa): o.rules}
	}
	if o.disruptive {
		roles[DisruptiveRole] = Disruptive
	}
	for name, rules := range roles {
		if err := applyRole(ctx, cs, ClusterRole(name, rules)); err != nil {
			return nil, err
		}
		if err := applyBinding(ctx, cs, binding(sa, name)); err != nil {
			return nil, err
		}
	}
	// A Grant converges: a binding an earlier Grant made and this one
	// would not goes (the full runner role of an account now given one
	// verb fewer, above all).
	for _, role := range []string{RunnerRole, DisruptiveRole, customRole(sa)} {
		if _, keep := roles[role]; keep {
			continue
		}
		err := cs.RbacV1().ClusterRoleBindings().Delete(ctx, bindingName(sa, role), metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("ClusterRoleBinding %s: %w", bindingName(sa, role), err)
		}
	}
	secs := int64(o.duration / time.Second)
	tok, err := cs.CoreV1().ServiceAccounts(sa.Namespace).CreateToken(ctx, sa.Name,
		&authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{ExpirationSeconds: &secs}}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("a token for %s: %w", sa, err)
	}
	return kubeconfig(cfg, sa, tok.Status.Token)
}

// Revoke deletes the ServiceAccount and its bindings (and its own
// ClusterRole, if WithRules made one); the shared roles stay.
func Revoke(ctx context.Context, cs kubernetes.Interface, sa ServiceAccount) error {
	crbs := cs.RbacV1().ClusterRoleBindings()
	for _, role := range []string{RunnerRole, DisruptiveRole, customRole(sa)} {
		if err := crbs.Delete(ctx, bindingName(sa, role), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	if err := cs.RbacV1().ClusterRoles().Delete(ctx, customRole(sa), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if err := cs.CoreV1().ServiceAccounts(sa.Namespace).Delete(ctx, sa.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}

func customRole(sa ServiceAccount) string { return RunnerRole + "-" + sa.Namespace + "-" + sa.Name }

func bindingName(sa ServiceAccount, role string) string {
	return role + ":" + sa.Namespace + ":" + sa.Name
}

func binding(sa ServiceAccount, role string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: bindingName(sa, role), Labels: map[string]string{"app.kubernetes.io/managed-by": "netconform"}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: sa.Namespace, Name: sa.Name}},
	}
}

func applyRole(ctx context.Context, cs kubernetes.Interface, role *rbacv1.ClusterRole) error {
	roles := cs.RbacV1().ClusterRoles()
	_, err := roles.Create(ctx, role, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		var old *rbacv1.ClusterRole
		if old, err = roles.Get(ctx, role.Name, metav1.GetOptions{}); err == nil {
			old.Rules = role.Rules
			_, err = roles.Update(ctx, old, metav1.UpdateOptions{})
		}
	}
	if err != nil {
		return fmt.Errorf("ClusterRole %s: %w", role.Name, err)
	}
	return nil
}

func applyBinding(ctx context.Context, cs kubernetes.Interface, b *rbacv1.ClusterRoleBinding) error {
	crbs := cs.RbacV1().ClusterRoleBindings()
	_, err := crbs.Create(ctx, b, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		// roleRef is immutable, and the name says which role it is.
		var old *rbacv1.ClusterRoleBinding
		if old, err = crbs.Get(ctx, b.Name, metav1.GetOptions{}); err == nil {
			old.Subjects = b.Subjects
			_, err = crbs.Update(ctx, old, metav1.UpdateOptions{})
		}
	}
	if err != nil {
		return fmt.Errorf("ClusterRoleBinding %s: %w", b.Name, err)
	}
	return nil
}

// kubeconfig is a kubeconfig for cfg's API server with a bearer token.
func kubeconfig(cfg *rest.Config, sa ServiceAccount, token string) ([]byte, error) {
	ca := cfg.CAData
	if len(ca) == 0 && cfg.CAFile != "" {
		var err error
		if ca, err = os.ReadFile(cfg.CAFile); err != nil {
			return nil, fmt.Errorf("the API server's CA: %w", err)
		}
	}
	name := "netconform-" + sa.Namespace + "-" + sa.Name
	out := clientcmdapi.NewConfig()
	out.Clusters[name] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: ca,
		TLSServerName: cfg.TLSClientConfig.ServerName, InsecureSkipTLSVerify: cfg.TLSClientConfig.Insecure}
	out.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
	out.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: sa.Namespace}
	out.CurrentContext = name
	return clientcmd.Write(*out)
}

func sameRules(a, b []Rule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if fmt.Sprint(a[i]) != fmt.Sprint(b[i]) {
			return false
		}
	}
	return true
}
