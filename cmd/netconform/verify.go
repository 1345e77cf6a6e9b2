package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/suites/all"
)

// verifySuites are the suites linked into the binary, in the order a
// reader builds the concepts up (the summary's rows). Importing suites/all
// registers their specs; all.Register adds the per-IngressClass ones once
// the cluster is known.
var verifySuites = all.Names

// embeddedOnly are the suite flags that only shape the embedded kind
// cluster of go test: verify never creates a cluster.
var embeddedOnly = []string{"keep-cluster", "cni", "addons"}

const defaultVerifyReportDir = "netconform-reports"

// verifyUsage says what the suite flags whose go test meaning differs do here.
var verifyUsage = map[string]string{
	"kubeconfig": "kubeconfig of the cluster under test (default: $KUBECONFIG; one of them is required)",
	"report-dir": "directory for the JUnit, Ginkgo JSON and conformance reports of each suite, the HTML page and Ginkgo's log (default: $NETCONFORM_REPORT_DIR, else " + defaultVerifyReportDir + "; --report-dir= for none)",
}

// verify runs every suite in this process against an existing cluster,
// with live progress and a summary, and fails when any spec failed.
func verify(ctx context.Context, args []string) error {
	fs := newFlags("verify")
	// The suites' own flags (framework/e2e, suites/ingress and any added
	// later) are defined on flag.CommandLine for go test; verify takes
	// the same values, so both ways of running read one set of flags.
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "ginkgo.") || strings.HasPrefix(f.Name, "test.") || slices.Contains(embeddedOnly, f.Name) {
			return
		}
		usage := f.Usage
		if u, ok := verifyUsage[f.Name]; ok {
			usage = u
		}
		fs.Var(f.Value, f.Name, usage)
	})
	labelFilter := fs.String("label-filter", "", "run only the specs whose labels match, e.g. 'dns || services', '!Feature:LoadBalancer' (Disruptive specs need --disruptive or this filter naming them)")
	var focus stringList
	fs.Var(&focus, "focus", "run only the spec of this ID (as the summary and reports show it), or the specs whose full text matches this regular expression (repeatable)")
	timeout := fs.Duration("timeout", 2*time.Hour, "bound on the whole run")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netconform verify --kubeconfig K [--label-filter F] [--focus ID|RE] [--report-dir D] [--disruptive]\n\n"+
			"Runs every suite (%s) against an existing cluster, serially, in this process.\n"+
			"Exit status 0 only when no spec failed.\n\n", strings.Join(verifySuites, ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("verify takes no arguments (got %q); see netconform verify --help", fs.Args())
	}
	reportDir := fs.Lookup("report-dir")
	if !isSet(fs, "report-dir") && reportDir.Value.String() == "" {
		reportDir.Value.Set(defaultVerifyReportDir)
	}

	res, err := e2e.Verify(ctx, e2e.VerifyOptions{
		Suites: verifySuites, Register: all.Register, LabelFilter: *labelFilter, Focus: focus, Timeout: *timeout,
		ReportDir: reportDir.Value.String(), Out: os.Stdout, Live: isTerminal(os.Stdout),
	})
	if err != nil {
		return err
	}
	return res.Err()
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
