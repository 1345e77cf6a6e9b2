// Command netconform builds the images and kind clusters the conformance
// suites run on, and cleans up after them.
//
//	netconform images build [NAME...]
//	netconform images push --registry R [--plain-http] [NAME...]
//	netconform images ref [--image-registry R] [NAME...]
//	netconform registry up|down [--name N]
//	netconform cluster up   [--name N] [--cni C] [--addons A,B] [--workers 2] [--kubeconfig PATH]
//	netconform cni variants [--without FEATURE] CNI
//	netconform cluster down [--name N]
//	netconform cleanup [--kubeconfig K] [--run-id ID]
//	netconform rbac role|kubeconfig|check|revoke
//	netconform verify --kubeconfig K [--label-filter F] [--report-dir D] [--disruptive]
//	netconform report expect --label L --state S REPORT...
//	netconform report html REPORT... [-o FILE]
//	netconform report failures REPORT...
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const usage = `usage:
  netconform images build [NAME...]     build images offline into the local Docker engine
  netconform images push --registry R [--plain-http] [NAME...]  push the images the suites start to a registry
  netconform images ref [--image-registry R] [NAME...]  print the references images run as
  netconform registry up [--name N]     start a registry (Distribution) on the kind network; prints its address
  netconform registry down [--name N]   remove it and its storage
  netconform cluster up [flags]         create (or reuse) a kind cluster with a CNI
  netconform cluster down [--name N]    delete a kind cluster
  netconform cluster kubeconfig [--name N]  print where its kubeconfig is
  netconform cni list                   list the installable CNIs and their variants
  netconform cni variants [--without FEATURE] CNI  list a CNI's installable variants (lacking FEATURE)
  netconform cleanup [--kubeconfig K] [--run-id ID]  remove what test runs left behind
  netconform rbac role [--disruptive]   print the least-privilege ClusterRole(s), each rule with its reason
  netconform rbac kubeconfig --service-account NS/NAME [-o FILE] [--disruptive] [--without "VERB RESOURCE"]
                                        create a ServiceAccount bound only to them, write a kubeconfig from its token
  netconform rbac check [--kubeconfig K] [--disruptive]  check a kubeconfig has every permission (preflight's check)
  netconform rbac revoke --service-account NS/NAME  delete that ServiceAccount and its bindings
  netconform verify --kubeconfig K [--label-filter F] [--report-dir D]  run every suite against a cluster, with progress and a summary
  netconform report expect --label L --state S REPORT...  check every spec with a label ended in a state
  netconform report html REPORT|DIR... [-o matrix.html]  one static page: a column per directory of reports, a row per spec
  netconform report failures REPORT|DIR...  every failed spec with its whole failure message
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "netconform:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) >= 1 && args[0] == "cleanup" {
		return cleanup(ctx, args[1:])
	}
	if len(args) >= 1 && args[0] == "verify" {
		return verify(ctx, args[1:])
	}
	if len(args) < 2 {
		return fmt.Errorf("missing command\n%s", usage)
	}
	switch args[0] + " " + args[1] {
	case "images build":
		return imagesBuild(ctx, args[2:])
	case "images push":
		return imagesPush(ctx, args[2:])
	case "images ref":
		return imagesRef(args[2:])
	case "registry up":
		return registryUp(ctx, args[2:])
	case "registry down":
		return registryDown(ctx, args[2:])
	case "cluster up":
		return clusterUp(ctx, args[2:])
	case "cluster down":
		return clusterDown(ctx, args[2:])
	case "cluster kubeconfig":
		return clusterKubeconfig(args[2:])
	case "cni list":
		return cniList(args[2:])
	case "cni variants":
		return cniVariants(args[2:])
	case "rbac role":
		return rbacRole(args[2:])
	case "rbac kubeconfig":
		return rbacKubeconfig(ctx, args[2:])
	case "rbac check":
		return rbacCheck(ctx, args[2:])
	case "rbac revoke":
		return rbacRevoke(ctx, args[2:])
	case "report expect":
		return reportExpect(args[2:])
	case "report html":
		return reportHTML(args[2:])
	case "report failures":
		return reportFailures(args[2:])
	}
	return fmt.Errorf("unknown command %q\n%s", strings.Join(args[:2], " "), usage)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}
