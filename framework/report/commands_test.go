package report

import (
	"path/filepath"
	"strings"
	"testing"
)

// report failures leads each failure with its ID and headline, then the
// whole message Gomega wrote, the location, the cells and the rerun.
func TestWriteFailuresLeadsWithTheHeadline(t *testing.T) {
	msg := gomegaFailures(t)["Eventually on an error"]
	r := Report{Suite: "pods", Specs: []Spec{
		{ID: "pods-ip", Name: "Pod networking gives every pod an IP", State: Passed},
		{ID: "pods-nonat-tcp-udp", Name: "Pod networking delivers TCP and UDP", State: Failed, Failure: msg,
			Location: "suites/pods/pods.go:76", Repro: "netconform verify --kubeconfig k --focus pods-nonat-tcp-udp"},
		{ID: "pods-localhost", Name: "Pod networking shares localhost", State: Failed, Failure: "one line only"},
	}}
	var out strings.Builder
	WriteFailures(&out, []Column{{Dir: "reports/flannel", Reports: []Report{r}}})
	got := out.String()
	for _, want := range []string{
		"FAILED reports/flannel: Pod networking delivers TCP and UDP [pods-nonat-tcp-udp]\n  pod → pod TCP, no NAT: 2 of 9 node pairs failed\n  at suites/pods/pods.go:76\n  Timed out after",
		"  rerun: netconform verify --kubeconfig k --focus pods-nonat-tcp-udp\n",
		"FAILED reports/flannel: Pod networking shares localhost [pods-localhost]\n  one line only\n2 failed spec(s)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the listing lacks\n%s\nin\n%s", want, got)
		}
	}
	if strings.Contains(got, "Pod networking gives every pod an IP") {
		t.Error("a passed spec is listed")
	}
}

// report expect names a spec in another state by its ID and headline.
func TestExpectAllNamesEachWrongSpec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "netpol-1.conformance.json")
	r := Report{Suite: "netpol", Specs: []Spec{
		{ID: "netpol-deny-all-ingress", Name: "NetworkPolicy denies all ingress", Labels: []string{"Feature:NetworkPolicy"}, State: Failed,
			Failure: "Timed out after 30.001s.\nobserved reachability differs from the policies in 1 of 4 cases\nExpected\n    <int>: 1\nto be zero-valued"},
		{ID: "netpol-sctp", Name: "NetworkPolicy allows SCTP", Labels: []string{"Feature:NetworkPolicy"}, State: Unsupported, Reason: "SCTP: no module"},
	}}
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err := ExpectAll(&out, []string{path}, "Feature:NetworkPolicy", Unsupported)
	want := `netpol: "NetworkPolicy denies all ingress [netpol-deny-all-ingress]" is failed, not unsupported: observed reachability differs from the policies in 1 of 4 cases`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err %v\nwant it to contain %s", err, want)
	}
	if out.String() != "netpol: 1 of 2 specs labelled Feature:NetworkPolicy are unsupported (CNI )\n" {
		t.Errorf("output %q", out.String())
	}
}
