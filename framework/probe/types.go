package probe

import (
	"fmt"
	"strings"
)

// Protocol names the transport or application protocol of a probe.
type Protocol string

// Supported protocols.
const (
	TCP  Protocol = "TCP"
	UDP  Protocol = "UDP"
	SCTP Protocol = "SCTP"
	HTTP Protocol = "HTTP"
	DNS  Protocol = "DNS"
)

// ParseProtocol accepts a protocol name in any letter case.
func ParseProtocol(s string) (Protocol, error) {
	p := Protocol(strings.ToUpper(strings.TrimSpace(s)))
	switch p {
	case TCP, UDP, SCTP, HTTP, DNS:
		return p, nil
	}
	return "", fmt.Errorf("unknown protocol %q (want TCP, UDP, SCTP, HTTP or DNS)", s)
}

// Identity says which pod an agent runs in. It is filled from the downward
// API environment, see [IdentityFromEnv].
type Identity struct {
	Pod       string `json:"pod"`
	Namespace string `json:"namespace,omitempty"`
	Node      string `json:"node,omitempty"`
	PodIP     string `json:"podIP,omitempty"`
}

// Echo is what an agent server answers to every connection, datagram or
// HTTP request. The identity fields are inlined in JSON.
type Echo struct {
	Identity
	// Peer is the remote address the server saw ("ip:port"). Comparing it
	// with the client's pod IP tells whether the source was NATed.
	Peer string `json:"peer"`
	// Local is the local address that received the traffic ("ip:port").
	Local    string   `json:"local"`
	Protocol Protocol `json:"protocol"`
	// Host and Path are set for HTTP only.
	Host string `json:"host,omitempty"`
	Path string `json:"path,omitempty"`
	// Bytes is how many payload bytes the server received: the datagram's
	// size for UDP, the request body's for HTTP. Agents older than this
	// field leave it 0.
	Bytes int `json:"bytes,omitempty"`
}

// Valid reports whether e looks like an answer from an agent. A reply that
// merely parses as JSON (for example "{}") is not good enough to call a probe
// Connected.
func (e *Echo) Valid() bool {
	return e != nil && e.Pod != "" && e.Protocol != ""
}

// DNS record types a probe can ask for.
const (
	DNSTypeA     = "A"
	DNSTypeAAAA  = "AAAA"
	DNSTypeSRV   = "SRV"
	DNSTypeCNAME = "CNAME"
	// DNSTypeSOA is asked only of a named server (Probe.Server): it is the
	// query a DNS server must answer for a zone it serves.
	DNSTypeSOA = "SOA"
)

// DefaultTimeoutMs is the per-probe timeout used when Probe.TimeoutMs <= 0.
const DefaultTimeoutMs = 1000

// Probe is one probe request.
type Probe struct {
	ID       string   `json:"id"`
	Protocol Protocol `json:"protocol"`
	// Target is host:port for TCP, UDP and SCTP, a URL for HTTP and a name
	// for DNS (resolved with the agent's resolv.conf search list).
	Target string `json:"target"`
	// DNSType is A (default), AAAA, SRV or CNAME.
	DNSType string `json:"dnsType,omitempty"`
	// TimeoutMs bounds the whole probe, connection and reply included.
	TimeoutMs int `json:"timeoutMs,omitempty"`
	// SourcePort, for UDP, binds the client socket to this port (0: the
	// kernel picks one). UDP has no connection a policy change could end:
	// a conntrack entry left by an earlier allowed datagram keeps admitting
	// a later one with the same ports for up to two minutes, so observers
	// of NetworkPolicy give every probe of a pair a port not used recently.
	SourcePort int `json:"sourcePort,omitempty"`
	// PayloadBytes, for UDP, sends a datagram of exactly this many bytes
	// with fragmentation forbidden (DF), so a path whose MTU is smaller
	// loses it instead of splitting it; for HTTP, POSTs a body of this size
	// (a TCP transfer in full-size segments). The echo must report the
	// same count (Echo.Bytes), or the probe is Inconclusive.
	PayloadBytes int `json:"payloadBytes,omitempty"`
	// Server, for DNS, sends the query to this host:port directly instead
	// of through the pod's resolv.conf; the name is then asked as written
	// (fully qualified), and Result.Rcode tells how the server answered.
	Server string `json:"server,omitempty"`
	// Host, for HTTP, is the Host header to send instead of the URL's
	// host: how one Ingress address is asked for different virtual hosts.
	Host string `json:"host,omitempty"`
	// ServerName, for HTTPS, is the TLS server name (SNI) to send and to
	// verify the served certificate for; empty means Host, then the URL's
	// host.
	ServerName string `json:"serverName,omitempty"`
	// CAPEM, for HTTPS, holds the PEM certificates the served chain is
	// verified against; empty means the system roots. The request is made
	// whether or not the chain verifies: Result.TLS says what was served.
	CAPEM string `json:"caPEM,omitempty"`
}

// Verdict classifies the outcome of a probe.
type Verdict string

// Verdicts. Only Connected means success.
const (
	// Connected: a well-formed echo (or DNS answer) came back.
	Connected Verdict = "Connected"
	// Refused: actively rejected: TCP RST, SCTP ABORT, ICMP unreachable
	// (ECONNREFUSED, EHOSTUNREACH, ENETUNREACH) or a local firewall reject.
	Refused Verdict = "Refused"
	// TimedOut: nothing came back before the timeout. For UDP this is also
	// what a silently denied datagram looks like.
	TimedOut Verdict = "TimedOut"
	// Failed: any other error, including an HTTP status other than 2xx.
	Failed Verdict = "Failed"
	// NotFound: the DNS name (or record type) does not exist.
	NotFound Verdict = "NotFound"
	// Inconclusive: something answered, but the reply was empty, cut off or
	// malformed. Never to be treated as success or as denial.
	Inconclusive Verdict = "Inconclusive"
)

// SRV is one DNS SRV record.
type SRV struct {
	Target   string `json:"target"`
	Port     uint16 `json:"port"`
	Priority uint16 `json:"priority"`
	Weight   uint16 `json:"weight"`
}

// Result is the outcome of one probe.
type Result struct {
	ID      string  `json:"id"`
	Verdict Verdict `json:"verdict"`
	// Error explains any verdict but Connected.
	Error     string  `json:"error,omitempty"`
	LatencyMs float64 `json:"latencyMs"`
	// Echo is the server's answer for TCP, UDP, SCTP and HTTP.
	Echo *Echo `json:"echo,omitempty"`
	// Status is the HTTP status code, when a response arrived.
	Status int `json:"status,omitempty"`
	// Addrs holds A or AAAA answers (for SOA: the zone's primary server).
	Addrs []string `json:"addrs,omitempty"`
	SRV   []SRV    `json:"srv,omitempty"`
	CNAME string   `json:"cname,omitempty"`
	// Rcode is the DNS response code ("Success", "NXDomain", "Refused"…)
	// of a query sent to a named server, whenever one answered.
	Rcode string `json:"rcode,omitempty"`
	// TLS describes the certificate an HTTPS server presented, whenever a
	// handshake completed.
	TLS *TLSInfo `json:"tls,omitempty"`
}

// TLSInfo is what a TLS handshake showed of the server's certificate.
type TLSInfo struct {
	// ServerName is the name sent as SNI and verified against.
	ServerName string `json:"serverName,omitempty"`
	// Subject and Issuer of the leaf certificate, in RFC 2253 form.
	Subject string `json:"subject"`
	Issuer  string `json:"issuer,omitempty"`
	// DNSNames are the leaf's subject alternative names.
	DNSNames []string `json:"dnsNames,omitempty"`
	// Verified: the chain leads to the given CA (Probe.CAPEM) and the
	// leaf is valid for ServerName now. VerifyError says why not.
	Verified    bool   `json:"verified"`
	VerifyError string `json:"verifyError,omitempty"`
}

// String is a one-line summary for failure messages.
func (t *TLSInfo) String() string {
	if t == nil {
		return "no TLS"
	}
	v := "chain verified for " + t.ServerName
	if !t.Verified {
		v = "chain NOT verified for " + t.ServerName + ": " + t.VerifyError
	}
	return fmt.Sprintf("certificate subject %q, SANs %v, issuer %q; %s", t.Subject, t.DNSNames, t.Issuer, v)
}

// DefaultConcurrency is used when Batch.Concurrency <= 0.
const DefaultConcurrency = 64

// MaxConcurrency caps Batch.Concurrency so one batch cannot exhaust the
// agent's file descriptors.
const MaxConcurrency = 1024

// Batch is a set of probes to run from one agent.
type Batch struct {
	Probes      []Probe `json:"probes"`
	Concurrency int     `json:"concurrency,omitempty"`
}

// BatchResult answers a Batch.
type BatchResult struct {
	// Results are in the same order as Batch.Probes.
	Results []Result `json:"results"`
	// Source is the agent that ran the probes.
	Source    Identity `json:"source"`
	ElapsedMs float64  `json:"elapsedMs"`
	// Env describes the agent's network namespace (interface MTU,
	// resolver); agents older than this field leave it nil.
	Env *Env `json:"env,omitempty"`
}

// PathMTU is the MTU the pod's traffic leaves with: its interface's, or
// its routes' when smaller.
func (e Env) PathMTU() int {
	if e.RouteMTU > 0 && (e.MTU == 0 || e.RouteMTU < e.MTU) {
		return e.RouteMTU
	}
	return e.MTU
}

// DescribeMTU says where PathMTU comes from, for failure messages:
// "pod interface eth0 has MTU 1450", or with the routes' when lower.
func (e Env) DescribeMTU() string {
	if e.PathMTU() != e.MTU {
		return fmt.Sprintf("pod interface %s has MTU %d, its routes MTU %d", e.Interface, e.MTU, e.RouteMTU)
	}
	return fmt.Sprintf("pod interface %s has MTU %d", e.Interface, e.MTU)
}

// Env is what an agent sees of its own network namespace, for failure
// messages: which MTU its traffic leaves with, which resolver it asks.
type Env struct {
	// Interface and MTU belong to the interface holding the pod IP.
	Interface string `json:"interface,omitempty"`
	MTU       int    `json:"mtu,omitempty"`
	// RouteMTU is the smallest MTU the routes through that interface set
	// (0: none sets one). A CNI may leave the interface at the link's MTU
	// and lower its routes' for the overlay's header (Cilium does): the
	// kernel then sends no larger datagram, and TCP's MSS follows it.
	RouteMTU int `json:"routeMTU,omitempty"`
	// Nameservers and Search are read from /etc/resolv.conf.
	Nameservers []string `json:"nameservers,omitempty"`
	Search      []string `json:"search,omitempty"`
}
