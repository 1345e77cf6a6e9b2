package ingress

import (
	"context"
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// Listing the IngressClasses may be forbidden: preflight then reports
// Ingress unsupported, with the permission to grant. Any other error must
// stop the suite naming it, not leave it with one container for "the
// default class" whose specs then fail finding no class.
func TestListClassesKeepsItsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string // in the error; "" for none
	}{
		{"forbidden", apierrors.NewForbidden(schema.GroupResource{Group: "networking.k8s.io", Resource: "ingressclasses"}, "", errors.New("RBAC")), ""},
		{"server error", errors.New("etcdserver: request timed out"), "etcdserver: request timed out"},
	} {
		cs := fake.NewClientset()
		cs.PrependReactor("list", "ingressclasses", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, tc.err })
		classes, err := listClasses(context.Background(), cs)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: listClasses = %v, want no error (preflight reports it)", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: listClasses = %v, %v; want an error naming %q", tc.name, classes, err, tc.want)
		}
	}
}
