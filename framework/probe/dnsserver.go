package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// probeDNSAt asks one DNS server directly, over UDP, and tells apart a
// server that does not answer (TimedOut, Refused), one that answers with
// an error code (Failed, Rcode set) or without the record (NotFound), and
// one that answers (Connected). The stub resolver cannot: it folds every
// server error into "server misbehaving".
func probeDNSAt(ctx context.Context, server, name, qtype string) Result {
	typ, ok := map[string]dnsmessage.Type{"": dnsmessage.TypeA, DNSTypeA: dnsmessage.TypeA,
		DNSTypeAAAA: dnsmessage.TypeAAAA, DNSTypeSOA: dnsmessage.TypeSOA}[strings.ToUpper(qtype)]
	if !ok {
		return Result{Verdict: Failed, Error: fmt.Sprintf("dns %s @%s: record type %q cannot be asked of a server directly", name, server, qtype)}
	}
	fqdn := name
	if !strings.HasSuffix(fqdn, ".") {
		fqdn += "."
	}
	qname, err := dnsmessage.NewName(fqdn)
	if err != nil {
		return Result{Verdict: Failed, Error: fmt.Sprintf("dns %s: %v", name, err)}
	}
	id := uint16(rand.Uint32())
	query, err := (&dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: qname, Type: typ, Class: dnsmessage.ClassINET}},
	}).Pack()
	if err != nil {
		return Result{Verdict: Failed, Error: fmt.Sprintf("dns %s: %v", name, err)}
	}
	what := fmt.Sprintf("dns %s %s @%s", strings.TrimPrefix(typ.String(), "Type"), fqdn, server)
	reply, err := exchangeUDP(ctx, server, query, id)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", what, err))
	}
	return dnsAnswer(reply, typ, what)
}

// exchangeUDP sends query until a reply with its ID arrives or ctx ends,
// resending like a UDP probe does.
func exchangeUDP(ctx context.Context, server string, query []byte, id uint16) (*dnsmessage.Message, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(DefaultTimeoutMs * time.Millisecond)
	}
	interval := time.Until(deadline) / udpSends
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Write(query); err != nil {
			return nil, err
		}
		wait := time.Now().Add(interval)
		if wait.After(deadline) {
			wait = deadline
		}
		_ = conn.SetReadDeadline(wait)
		for {
			n, err := conn.Read(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) && wait.Before(deadline) && ctx.Err() == nil {
				break // resend
			}
			if err != nil {
				return nil, fmt.Errorf("no reply: %w", err)
			}
			var m dnsmessage.Message
			if m.Unpack(buf[:n]) == nil && m.Header.ID == id && m.Header.Response {
				return &m, nil
			}
			// A stray or malformed datagram: keep waiting for ours.
		}
	}
}

// dnsAnswer turns a reply into a verdict, keeping its code.
func dnsAnswer(m *dnsmessage.Message, typ dnsmessage.Type, what string) Result {
	rcode := strings.TrimPrefix(m.Header.RCode.String(), "RCode")
	r := Result{Rcode: rcode}
	switch m.Header.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		r.Verdict, r.Error = NotFound, what+": the server answers NXDOMAIN"
		return r
	default:
		r.Verdict, r.Error = Failed, what+": the server answers "+rcode
		return r
	}
	for _, a := range m.Answers {
		if a.Header.Type != typ {
			continue
		}
		switch b := a.Body.(type) {
		case *dnsmessage.AResource:
			r.Addrs = append(r.Addrs, net.IP(b.A[:]).String())
		case *dnsmessage.AAAAResource:
			r.Addrs = append(r.Addrs, net.IP(b.AAAA[:]).String())
		case *dnsmessage.SOAResource:
			r.Addrs = append(r.Addrs, b.NS.String())
		}
	}
	if len(r.Addrs) == 0 {
		r.Verdict, r.Error = NotFound, fmt.Sprintf("%s: the server answers without such a record", what)
		return r
	}
	r.Verdict = Connected
	return r
}
