package simazure_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mcobs/mcobs/internal/sim"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

// Serve on a self-signed certificate: a client trusting the PEM gets a token and stops the
// server by cancelling its context.
func TestServeWithSelfSignedCertificate(t *testing.T) {
	cert, pemBytes, err := simazure.SelfSignedCert()
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.New(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- simazure.Serve(ctx, ln, s, cert, nil) }()

	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatal("the PEM holds no certificate")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	defer tr.CloseIdleConnections()
	e := &env{url: "https://" + ln.Addr().String(), client: &http.Client{Transport: tr}, cfg: sim.DefaultConfig()}
	cred, err := azidentity.NewClientSecretCredential(e.cfg.Azure.TenantID, e.cfg.Azure.ClientID, e.cfg.Azure.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: e.options(), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}}); err != nil {
		t.Fatalf("token over the self-signed listener: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop")
	}
}
