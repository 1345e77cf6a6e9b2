package pki

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

func TestIssuedCertificateVerifiesOnlyForItsHosts(t *testing.T) {
	ca, err := NewCA("netconform test CA")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Issue("secure.example.com")
	if err != nil {
		t.Fatal(err)
	}
	kp, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	if err != nil {
		t.Fatalf("the pair does not load as a TLS key pair: %v", err)
	}
	leaf, err := x509.ParseCertificate(kp.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca.PEM)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "secure.example.com"}); err != nil {
		t.Errorf("does not verify for its host: %v", err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "other.example.com"}); err == nil {
		t.Error("verifies for a host it was not issued for")
	}
	other, _ := NewCA("another CA")
	otherRoots := x509.NewCertPool()
	otherRoots.AppendCertsFromPEM(other.PEM)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: otherRoots, DNSName: "secure.example.com"}); err == nil {
		t.Error("verifies against a CA that did not sign it")
	}
	if _, err := ca.Issue(); err == nil {
		t.Error("issued a certificate for no host")
	}
}
