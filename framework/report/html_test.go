package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/netconform/netconform/framework/cni"
	"github.com/netconform/netconform/framework/reach"
)

const (
	flannelReason = "Feature:NetworkPolicy: flannel routes pods and enforces no NetworkPolicy (profile of flannel)"
	failedSpec    = "NetworkPolicy with a policy selecting pods by namespace denies ingress from other namespaces"
	deniedSpec    = "NetworkPolicy with an empty-rules policy denies all ingress to the selected pods"
	// Untrusted text: it must reach the reader as text, never as markup.
	hostileMessage = `observed reachability differs <script>alert("x")</script> & more`
)

// sampleTables are a real failed matrix: x/a -> x/b expected denied, seen allowed.
func sampleTables() (expected, observed, diff string) {
	peers := []reach.Peer{{Namespace: "x", Pod: "a"}, {Namespace: "x", Pod: "b"}, {Namespace: "y", Pod: "a"}}
	want, got := reach.NewTable(peers, reach.Allow), reach.NewTable(peers, reach.Allow)
	want.Set(peers[0], peers[1], reach.Deny)
	_, comparison := reach.Compare(want, got)
	return "TCP/80:\n" + want.String(), "TCP/80:\n" + got.String(), "TCP/80:\n" + comparison
}

// writeSamples writes two columns of reports under dir, as make matrix
// would: kube-router passes all but one NetworkPolicy spec; flannel
// declares NetworkPolicy unsupported, skips one spec with a reason and
// left one out by label filter.
func writeSamples(t *testing.T, dir string) []string {
	t.Helper()
	expected, observed, diff := sampleTables()
	netpol := []string{deniedSpec, failedSpec, "NetworkPolicy with default-deny egress still resolves DNS"}
	pods := []string{"Pod networking delivers TCP across nodes with the client pod IP as source", "Pod networking delivers UDP within a node", "Pod networking gives every pod a unique IP inside its node's podCIDR"}
	services := []string{"Services with a ClusterIP spread connections over every ready endpoint", "Services with a NodePort answer on every node IP"}
	started := time.Date(2026, 3, 2, 15, 20, 0, 0, time.UTC)
	var paths []string
	write := func(column, suite string, detected cni.Detected, specs []Spec) {
		r := Report{Suite: suite, RunID: map[string]string{"kube-router": "nc-7f3a", "flannel": "nc-c21d"}[column], CNI: detected, Started: started, Seconds: 42,
			Cluster: Cluster{KubernetesVersion: "v1.34.4", Nodes: 3}, Specs: specs}
		r.Tally()
		path := filepath.Join(dir, column, suite+"-"+r.RunID+".conformance.json")
		if err := Write(path, r); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	specs := func(names []string, s Spec) []Spec {
		var out []Spec
		for i, n := range names {
			s.Name, s.Seconds = n, 1.5+float64(i)
			out = append(out, s)
		}
		return out
	}

	kr := cni.Detected{Name: "kube-router", Version: "v2.1.0"}
	write("kube-router", "pods", kr, specs(pods, Spec{State: Passed}))
	write("kube-router", "services", kr, specs(services, Spec{State: Passed}))
	np := specs(netpol, Spec{State: Passed})
	np[1] = Spec{Name: failedSpec, State: Failed, Seconds: 31.2, Failure: hostileMessage + "\nclient x/a on kind-worker, server x/b on kind-worker2, TCP/80: connected",
		Location: "suites/netpol/netpol_test.go:120", Expected: expected, Observed: observed, Diff: diff,
		Repro: "go test ./suites/netpol/ -count=1 -args -ginkgo.focus '^NetworkPolicy with a policy selecting pods by namespace'"}
	write("kube-router", "netpol", kr, np)

	fl := cni.Detected{Name: "flannel", Version: "v0.28.10"}
	p := specs(pods, Spec{State: Passed})
	p[1] = Spec{Name: pods[1], State: Skipped, Reason: "needs two schedulable nodes, found one"}
	p[2] = Spec{Name: pods[2], State: Skipped} // a label filter left it out
	write("flannel", "pods", fl, p)
	write("flannel", "netpol", fl, specs(netpol, Spec{State: Unsupported, Reason: flannelReason}))
	return paths
}

func renderSamples(t *testing.T) (page []byte, dir string) {
	t.Helper()
	dir = t.TempDir()
	paths := writeSamples(t, dir)
	// Columns come from directories, in the order first given; a report
	// named twice (its directory, then itself) counts once.
	columns, err := ReadColumns(append([]string{filepath.Join(dir, "kube-router"), paths[0]}, paths[len(paths)-2:]...))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, columns); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), dir
}

// The page as a reader sees it: column headings, and per spec its cells.
type seen struct {
	columns []string // column labels, left to right
	cells   map[string][]*html.Node
	doc     *html.Node
}

func parsePage(t *testing.T, page []byte) seen {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	s := seen{cells: map[string][]*html.Node{}, doc: doc}
	for _, th := range findAll(doc, func(n *html.Node) bool { return n.Data == "th" && hasClass(n, "column") }) {
		label := findAll(th, func(n *html.Node) bool { return hasClass(n, "label") })
		if len(label) != 1 {
			t.Fatalf("column heading without one label: %q", text(th))
		}
		s.columns = append(s.columns, text(label[0]))
	}
	for _, tr := range findAll(doc, func(n *html.Node) bool { return n.Data == "tr" }) {
		heads := findAll(tr, func(n *html.Node) bool { return n.Data == "th" && hasClass(n, "spec") })
		if len(heads) == 1 {
			name := text(heads[0])
			if ids := findAll(heads[0], func(n *html.Node) bool { return hasClass(n, "id") }); len(ids) == 1 {
				name = strings.TrimSpace(strings.TrimSuffix(name, text(ids[0])))
			}
			s.cells[name] = findAll(tr, func(n *html.Node) bool { return n.Data == "td" })
		}
	}
	return s
}

// cell is the cell a reader finds under column label in spec's row.
func (s seen) cell(t *testing.T, spec, label string) *html.Node {
	t.Helper()
	row, ok := s.cells[spec]
	if !ok {
		t.Fatalf("no row for %q", spec)
	}
	if len(row) != len(s.columns) {
		t.Fatalf("row %q has %d cells under %d columns", spec, len(row), len(s.columns))
	}
	for i, c := range s.columns {
		if c == label {
			return row[i]
		}
	}
	t.Fatalf("no column %q among %v", label, s.columns)
	return nil
}

func TestHTMLStructure(t *testing.T) {
	page, _ := renderSamples(t)
	s := parsePage(t, page)
	if strings.Join(s.columns, ",") != "kube-router,flannel" {
		t.Fatalf("columns %v, want kube-router then flannel (the order given)", s.columns)
	}
	headings := findAll(s.doc, func(n *html.Node) bool { return n.Data == "th" && hasClass(n, "column") })
	for i, want := range []string{"CNI kube-router v2.1.0", "CNI flannel v0.28.10"} {
		if h := text(headings[i]); !strings.Contains(h, want) || !strings.Contains(h, "Kubernetes v1.34.4") {
			t.Errorf("column %d heading %q lacks %q or the Kubernetes version", i, h, want)
		}
	}
	if h := text(headings[0]); !strings.Contains(h, "7 passed 1 failed 0 unsupported 0 skipped") {
		t.Errorf("kube-router summary: %q", h)
	}
	if h := text(headings[1]); !strings.Contains(h, "1 passed 0 failed 3 unsupported 1 skipped") || !strings.Contains(h, "3 not run") {
		t.Errorf("flannel summary: %q", h)
	}

	var suites []string
	for _, tb := range findAll(s.doc, func(n *html.Node) bool { return n.Data == "tbody" }) {
		suites = append(suites, attr(tb, "id"))
	}
	if got := strings.Join(suites, ","); got != "suite-pods,suite-services,suite-netpol" {
		t.Errorf("suite groups %s, want pods, services, netpol in that order", got)
	}

	want := map[[2]string]string{
		{failedSpec, "kube-router"}:                                                         "failed",
		{failedSpec, "flannel"}:                                                             "unsupported",
		{deniedSpec, "kube-router"}:                                                         "passed",
		{"Services with a NodePort answer on every node IP", "flannel"}:                     "not run",
		{"Pod networking delivers UDP within a node", "flannel"}:                            "skipped",
		{"Pod networking gives every pod a unique IP inside its node's podCIDR", "flannel"}: "not run",
	}
	for k, state := range want {
		if got := attr(s.cell(t, k[0], k[1]), "data-state"); got != state {
			t.Errorf("%s under %s: data-state %q, want %q", k[0], k[1], got, state)
		}
	}

	if got := text(s.cell(t, failedSpec, "flannel")); got != "unsupported "+flannelReason {
		t.Errorf("flannel's unsupported cell reads %q; want the state and the profile's reason", got)
	}

	// The failed cell opens to the message and the three tables, each
	// exactly as the report holds it (preformatted, so columns line up).
	failed := s.cell(t, failedSpec, "kube-router")
	if len(findAll(failed, func(n *html.Node) bool { return n.Data == "details" })) != 1 {
		t.Fatal("the failed cell has no <details> to open")
	}
	expected, observed, diff := sampleTables()
	var pres []string
	for _, pre := range findAll(failed, func(n *html.Node) bool { return n.Data == "pre" }) {
		pres = append(pres, text(pre))
	}
	for _, table := range []string{expected, observed, diff} {
		if !slices.Contains(pres, table) {
			t.Errorf("no <pre> holds the table verbatim:\n%s\namong %q", table, pres)
		}
	}
	if !strings.Contains(strings.Join(pres, "\n"), hostileMessage) {
		t.Errorf("the failure message is not shown as text: %q", pres)
	}
	if scripts := findAll(s.doc, func(n *html.Node) bool { return n.Data == "script" }); len(scripts) > 0 {
		t.Errorf("a message became markup: %d <script> elements", len(scripts))
	}
	// One self-contained file: nothing to fetch.
	for _, n := range findAll(s.doc, func(n *html.Node) bool { return attr(n, "src") != "" || n.Data == "link" }) {
		t.Errorf("the page loads something: <%s %v>", n.Data, n.Attr)
	}
	if bytes.Contains(page, []byte("Ran 2 times")) {
		t.Error("a report given twice was read twice")
	}
	if !bytes.Contains(page, []byte(".cell.failed")) {
		t.Error("the CSS is not inlined")
	}
}

func TestMatrixShowsTheWorstOfSeveralRunsAndDisagreements(t *testing.T) {
	col := Column{Dir: "reports/kube-router", Reports: []Report{
		{Suite: "pods", CNI: cni.Detected{Name: "kube-router", Version: "v2.1.0"}, Cluster: Cluster{KubernetesVersion: "v1.34.4"},
			Specs: []Spec{{Name: "a", State: Passed}, {Name: "b", State: Skipped}}},
		{Suite: "pods", CNI: cni.Detected{Name: "flannel", Version: "v0.28.10"}, Cluster: Cluster{KubernetesVersion: "v1.34.4"},
			Specs: []Spec{{Name: "a", State: Failed, Failure: "boom"}, {Name: "b", State: Passed}}},
	}}
	m := NewMatrix([]Column{col})
	if len(m.Columns[0].Disagreements) != 1 || !strings.Contains(m.Columns[0].Disagreements[0], "kube-router v2.1.0 (pods); flannel v0.28.10 (pods)") {
		t.Errorf("disagreement on the CNI not named: %q", m.Columns[0].Disagreements)
	}
	rows := m.Suites[0].Rows
	if a := rows[0].Cells[0]; a.State != "failed" || len(a.Runs) != 2 {
		t.Errorf("a passed once and failed once: shown %s, runs %v; want failed, both runs", a.State, a.Runs)
	}
	if b := rows[1].Cells[0]; b.State != "passed" || len(b.Runs) != 0 {
		t.Errorf("b ran once (filtered out in the other run): shown %s, runs %v", b.State, b.Runs)
	}
}

// A row is a spec ID: a spec reworded between two runs stays one row,
// showing its newest text; reports without IDs key rows by text.
func TestMatrixKeysRowsByIDAndShowsTheNewestText(t *testing.T) {
	older, newer := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	columns := []Column{
		{Dir: "reports/new", Reports: []Report{{Suite: "pods", Started: newer, Specs: []Spec{
			{ID: "pods-nonat-tcp-udp", Name: "Pod networking delivers TCP and UDP without NAT", State: Passed},
			{Name: "Pod networking, an old spec", State: Passed},
		}}}},
		{Dir: "reports/old", Reports: []Report{{Suite: "pods", Started: older, Specs: []Spec{
			{ID: "pods-nonat-tcp-udp", Name: "Pod networking delivers TCP between pods", State: Failed, Failure: "boom"},
			{Name: "Pod networking, an old spec", State: Passed},
		}}}},
	}
	rows := NewMatrix(columns).Suites[0].Rows
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2: one per ID, one per text without ID", len(rows))
	}
	byID := rows[slices.IndexFunc(rows, func(r RowView) bool { return r.ID != "" })]
	if byID.ID != "pods-nonat-tcp-udp" || byID.Name != "Pod networking delivers TCP and UDP without NAT" {
		t.Errorf("row %q shows %q, want the newest text", byID.ID, byID.Name)
	}
	if byID.Cells[0].State != "passed" || byID.Cells[1].State != "failed" {
		t.Errorf("cells %s, %s; want passed, failed", byID.Cells[0].State, byID.Cells[1].State)
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, columns); err != nil {
		t.Fatal(err)
	}
	s := parsePage(t, page.Bytes())
	if c := s.cell(t, "Pod networking delivers TCP and UDP without NAT", "old"); attr(c, "data-state") != "failed" {
		t.Errorf("the old column's cell under the new text is %q", attr(c, "data-state"))
	}
	if !strings.Contains(page.String(), `data-id="pods-nonat-tcp-udp"`) {
		t.Error("the row does not carry its ID")
	}
}

func TestDuration(t *testing.T) {
	for s, want := range map[float64]string{0.42: "0.4 s", 12.4: "12 s", 185: "3 min 05 s", 3700: "1 h 01 min"} {
		if got := Duration(s); got != want {
			t.Errorf("Duration(%v) = %q, want %q", s, got, want)
		}
	}
}

// TestHTMLInChromium opens the page as a reader would, from file:// in a
// real browser, and reads the cells of the DOM it built.
func TestHTMLInChromium(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("neither chromium nor chromium-browser is on PATH (Debian: apt-get install chromium)")
	}
	page, dir := renderSamples(t)
	file := filepath.Join(dir, "matrix.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(extra ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + t.TempDir(), "--window-size=1400,1000"}, extra...)
		cmd := exec.CommandContext(ctx, browser, append(args, "file://"+file)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", browser, strings.Join(extra, " "), err, stderr.String())
		}
		return out
	}

	s := parsePage(t, run("--dump-dom"))
	for _, c := range []struct{ spec, column, words string }{
		{failedSpec, "flannel", "unsupported " + flannelReason},
		{failedSpec, "kube-router", "failed 31 s details observed reachability differs"},
		{deniedSpec, "kube-router", "passed 1.5 s"},
		{"Pod networking delivers UDP within a node", "flannel", "skipped needs two schedulable nodes, found one"},
		{"Services with a NodePort answer on every node IP", "flannel", "not run no report of this suite in this column"},
	} {
		if got := text(s.cell(t, c.spec, c.column)); !strings.HasPrefix(got, c.words) {
			t.Errorf("under %s, %q reads %q; want it to start with %q", c.column, c.spec, got, c.words)
		}
	}

	// Rendered, the failed cell is red: colour backs the words up.
	shot := filepath.Join(dir, "matrix.png")
	run("--screenshot=" + shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	red := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == 0xfd && g>>8 == 0xe2 && b>>8 == 0xe2 { // --failed-bg
				red++
			}
		}
	}
	if red < 500 {
		t.Errorf("the screenshot shows %d pixels of the failed colour; the failed cell is not rendered red", red)
	}
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// text is what a reader reads in n: its text with runs of white space as
// one space, elements apart (our elements each hold whole words); inside
// <pre>, exactly as written.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && n.Data != "pre" {
				b.WriteString(" ")
			}
			walk(c)
		}
	}
	walk(n)
	if n.Data == "pre" {
		return b.String()
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
