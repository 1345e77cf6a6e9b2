# netconform: conformance suites for Kubernetes networking.
#   make test          unit tests, then a fresh kind cluster, the suites on it, and its deletion
#   make conformance   the suites against the embedded kind cluster (created or reused)
#   make cluster       create (or reuse) a kind cluster:  make cluster CNI=kube-router ADDONS=metallb,traefik,haproxy
#   make cluster-down  delete it
#   make images        build every image offline into the local Docker engine
#   make matrix        one fresh cluster per CNI, every suite, reports/<cni>/ and reports/matrix.html:
#                      make matrix CNIS="kube-router flannel"

CNI      ?= kube-router
ADDONS   ?= metallb,traefik,haproxy
CLUSTER  ?= netconform
WORKERS  ?= 2
GO       ?= go
BIN      := bin/netconform
KUBECONFIG_PATH = $(shell $(BIN) cluster kubeconfig --name $(CLUSTER))

.PHONY: all test unit images cluster cluster-down conformance matrix host-setup $(BIN)

all: test

$(BIN):
	$(GO) build -o $(BIN) ./cmd/netconform

host-setup:
	bash scripts/host-setup.sh

# unit runs no cluster: in suites/, only the plain tests of their cases
# and decisions, -run keeping out the Ginkgo entry points.
unit:
	bash scripts/check-sizes.sh
	$(GO) test -count=1 ./internal/... ./framework/... ./fixtures/... ./cmd/... ./suites/all/
	$(GO) test -count=1 -run '^Test(NodeSide|DisruptiveSpecViolatesEveryDenyingStep|EveryStepDoesWhatItIntends)$$' ./suites/services/ ./suites/netpol/

images: $(BIN)
	$(BIN) images build

cluster: $(BIN)
	$(BIN) cluster up --name $(CLUSTER) --cni $(CNI) --addons "$(ADDONS)" --workers $(WORKERS) --reuse

cluster-down: $(BIN)
	$(BIN) cluster down --name $(CLUSTER)

conformance: cluster
	KUBECONFIG=$(KUBECONFIG_PATH) $(GO) test -count=1 ./suites/... -args -ginkgo.v

test: unit $(BIN)
	bash scripts/test.sh

matrix: $(BIN)
	$(BIN) images build
	bash scripts/matrix.sh
