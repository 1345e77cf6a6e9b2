// Package dns holds the dns suite's specs: Service, headless, SRV, pod hostname and ExternalName records, dnsPolicy and dnsConfig, from pod and hostNetwork clients.
//
// The specs are in ordinary (non-test) files so that one binary can run
// every suite (netconform verify); `go test ./suites/dns` runs them as
// before, through dns_suite_test.go.
package dns

// Name is the suite's name: the label its specs carry and the prefix of
// its reports.
const Name = "dns"
