package azurereceiver

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

// newCertificate makes a self-signed certificate and writes it with its key to a PEM file, as
// `az ad sp create-for-rbac --create-cert` hands them out; it returns the file and the
// certificate alone (what the application registration holds).
func newCertificate(t *testing.T) (path, certPEM string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mcobs-collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	path = filepath.Join(t.TempDir(), "collector.pem")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	if err := os.WriteFile(path, append([]byte(certPEM), keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, certPEM
}

// TestSignsInWithoutASecret: a certificate service principal and a workload identity sign in
// to the simulated Entra ID through azidentity's own credentials (a client assertion signed
// with the key; the federated token file), and a certificate or token the tenant does not
// trust fails the subscription as an auth error.
func TestSignsInWithoutASecret(t *testing.T) {
	registered, certPEM := newCertificate(t)
	stranger, _ := newCertificate(t)
	scfg := smallFleet()
	scfg.Azure.ClientCertificate = certPEM
	tokenFile := func(subject string) string {
		tok, err := simazure.FederatedToken(scfg, subject, time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(path, []byte(tok), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	f := func(name string, auth func(a *AuthConfig), wantStatus string) {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scfg, func(c *Config) {
				c.MaxBackfill = c.CollectionInterval
				c.Auth = AuthConfig{TenantID: scfg.Azure.TenantID, ClientID: scfg.Azure.ClientID}
				auth(&c.Auth)
			})
			h.clk.T = simStart.Add(10 * time.Minute)
			md, _ := h.loop.Poll()
			if got := cloudscrapetest.CollectionStatus(md)[h.cfg.Subscriptions[0]]; !strings.HasPrefix(got, wantStatus) {
				t.Errorf("status %q, want %s", got, wantStatus)
			}
		})
	}
	f("certificate", func(a *AuthConfig) { a.Mode, a.CertificatePath = AuthClientCertificate, registered }, cloudscrape.StatusSuccess+":")
	f("unregistered certificate", func(a *AuthConfig) { a.Mode, a.CertificatePath = AuthClientCertificate, stranger }, cloudscrape.StatusFailed+":AuthenticationFailed")
	f("workload identity", func(a *AuthConfig) {
		a.Mode, a.FederatedTokenFile = AuthWorkloadIdentity, tokenFile(scfg.Azure.FederatedSubject)
	}, cloudscrape.StatusSuccess+":")
	f("untrusted workload identity", func(a *AuthConfig) {
		a.Mode, a.FederatedTokenFile = AuthWorkloadIdentity, tokenFile("system:serviceaccount:other:intruder")
	}, cloudscrape.StatusFailed+":AuthenticationFailed")
}
