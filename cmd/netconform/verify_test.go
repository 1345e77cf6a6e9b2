package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The ginkgo CLI treats a package as a Ginkgo suite only when one of its
// test files mentions Ginkgo's import path (the same pattern as its
// filesHaveGinkgoSuite); a suite whose specs all moved to ordinary files
// would otherwise run as a plain go test, without -p and without the
// arguments after --: no kubeconfig, so the embedded cluster.
func TestEverySuiteLooksLikeAGinkgoSuiteToTheGinkgoCLI(t *testing.T) {
	ginkgoImport := regexp.MustCompile(`package ginkgo|\/ginkgo"|\/ginkgo\/v2"|\/ginkgo\/v2/dsl/`)
	for _, suite := range verifySuites {
		files, err := filepath.Glob(filepath.Join("..", "..", "suites", suite, "*_test.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("suites/%s: no test file (%v)", suite, err)
		}
		found := false
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			found = found || ginkgoImport.Match(data)
		}
		if !found {
			t.Errorf("suites/%s: no test file imports Ginkgo; `ginkgo -p ./suites/%s -- -kubeconfig K` would drop the kubeconfig", suite, suite)
		}
	}
}
