package rbac

import (
	"context"
	"fmt"
	"strings"
	"sync"

	authv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Missing asks the API server, by one SelfSubjectAccessReview per verb and
// resource, which permissions of rules the client's identity lacks in every
// namespace (namespaced rights are needed cluster-wide: see Rule). An error
// is a review that could not be asked, not a denial.
func Missing(ctx context.Context, cs kubernetes.Interface, rules []Rule) ([]Permission, error) {
	perms := Permissions(rules)
	allowed := make([]bool, len(perms))
	errs := make([]error, len(perms))
	// A few at a time: dozens of small requests, without a burst that
	// the client's rate limiter would queue anyway.
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, p := range perms {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			review := &authv1.SelfSubjectAccessReview{Spec: authv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authv1.ResourceAttributes{Verb: p.Verb, Group: p.Group, Resource: p.Resource, Subresource: p.Subresource},
			}}
			got, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
			if err != nil {
				errs[i] = fmt.Errorf("asking whether this identity may %s: %w", p, err)
				return
			}
			allowed[i] = got.Status.Allowed
		}()
	}
	wg.Wait()
	var missing []Permission
	for i, p := range perms {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if !allowed[i] {
			missing = append(missing, p)
		}
	}
	return missing, nil
}

// MissingError names every missing permission, where it is needed, why,
// and which role grants it.
type MissingError struct {
	Role    string
	Missing []Permission
}

func (e *MissingError) Error() string {
	var b strings.Builder
	print := "netconform rbac role"
	if e.Role == DisruptiveRole {
		print += " --disruptive"
	}
	fmt.Fprintf(&b, "this kubeconfig lacks %d permission(s) of ClusterRole %s (print it with `%s`):", len(e.Missing), e.Role, print)
	for _, p := range e.Missing {
		fmt.Fprintf(&b, "\n  - %s (%s): %s", p, p.Scope(), p.Why)
	}
	return b.String()
}

// Check returns a *MissingError when the client's identity lacks any
// permission of the role's rules.
func Check(ctx context.Context, cs kubernetes.Interface, role string, rules []Rule) error {
	missing, err := Missing(ctx, cs, rules)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return &MissingError{Role: role, Missing: missing}
	}
	return nil
}
