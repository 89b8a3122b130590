package simazure

import (
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition (RFC 7515)
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mcobs/mcobs/internal/sim"
)

// Client assertions: a service principal with a certificate signs a JWT with its private key
// (MSAL: PS256 with the certificate's SHA-256 thumbprint in x5t#S256; RS256 with x5t for
// ADFS); a workload identity sends the token its platform issued it, which Entra ID trusts
// through a federated credential (issuer, subject, audience).
const (
	jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// FederatedIssuer is the issuer of the simulator's workload identity tokens, and
	// FederatedAudience the audience Entra ID requires of them.
	FederatedIssuer   = "https://sim.mcobs.invalid/federation"
	FederatedAudience = "api://AzureADTokenExchange"
)

var errAssertion = errors.New("client assertion failed signature validation")

// verifyAssertion checks a client assertion of the service principal: signed by its
// certificate for the token endpoint, or a federated token of its workload identity.
func (srv *server) verifyAssertion(clientID, assertion string) error {
	var c jwt.RegisteredClaims
	tok, err := jwt.ParseWithClaims(assertion, &c, func(t *jwt.Token) (any, error) {
		if t.Method.Alg() == jwt.SigningMethodHS256.Alg() {
			return srv.key, nil
		}
		cert, err := srv.clientCertificate()
		if err != nil {
			return nil, err
		}
		if !thumbprintMatches(t.Header, cert) {
			return nil, errors.New("the assertion's thumbprint is not the registered certificate's")
		}
		return cert.PublicKey, nil
	}, jwt.WithValidMethods([]string{"PS256", "RS256", "HS256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(time.Minute))
	if err != nil {
		return fmt.Errorf("%w: %v", errAssertion, err)
	}
	if tok.Method.Alg() == jwt.SigningMethodHS256.Alg() {
		if c.Issuer != FederatedIssuer || c.Subject != srv.cfg.FederatedSubject || !slices.Contains(c.Audience, FederatedAudience) {
			return fmt.Errorf("%w: no federated credential matches issuer %q, subject %q and audience %v", errAssertion, c.Issuer, c.Subject, c.Audience)
		}
		return nil
	}
	if c.Issuer != clientID || c.Subject != clientID || !slices.ContainsFunc(c.Audience, func(a string) bool { return strings.HasSuffix(a, "/oauth2/v2.0/token") }) {
		return fmt.Errorf("%w: iss and sub must be the client id and aud the token endpoint", errAssertion)
	}
	return nil
}

func (srv *server) clientCertificate() (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(srv.cfg.ClientCertificate))
	if block == nil {
		return nil, errors.New("the application has no certificate registered")
	}
	return x509.ParseCertificate(block.Bytes)
}

// thumbprintMatches compares the JWT header's thumbprint (x5t#S256, or x5t) with the
// certificate's.
func thumbprintMatches(h map[string]any, cert *x509.Certificate) bool {
	s256 := sha256.Sum256(cert.Raw)
	s1 := sha1.Sum(cert.Raw) //nolint:gosec // see the import
	for key, want := range map[string][]byte{"x5t#S256": s256[:], "x5t": s1[:]} {
		v, _ := h[key].(string)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			if got, err := enc.DecodeString(v); err == nil && string(got) == string(want) {
				return true
			}
		}
	}
	return false
}

// FederatedToken is a workload identity token for subject that the simulator's tenant
// trusts, valid for lifetime: what a Kubernetes service account token file holds.
func FederatedToken(cfg sim.Config, subject string, now time.Time, lifetime time.Duration) (string, error) {
	c := jwt.RegisteredClaims{
		Issuer: FederatedIssuer, Subject: subject, Audience: jwt.ClaimStrings{FederatedAudience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(signingKey(cfg))
}
