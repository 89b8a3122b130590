package simgcp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// tokenLifetime is how long an access token is valid, as Google's token endpoint says.
const tokenLifetime = time.Hour

// tokenPrefix starts every access token the simulator issues (Google's start with ya29.).
const tokenPrefix = "ya29.sim."

// issueToken returns a token valid until exp: the expiry and its MAC, so tokens stay valid
// across restarts of the same configuration and need no store.
func (srv *server) issueToken(exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return tokenPrefix + e + "." + srv.mac(e)
}

func (srv *server) mac(s string) string {
	m := hmac.New(sha256.New, srv.key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// checkToken says why an Authorization header value is refused, or "" when it is valid.
func (srv *server) checkToken(authz string) string {
	tok, ok := strings.CutPrefix(authz, "Bearer ")
	if !ok || tok == "" {
		return "missing"
	}
	rest, ok := strings.CutPrefix(tok, tokenPrefix)
	e, mac, found := strings.Cut(rest, ".")
	if !ok || !found || !hmac.Equal([]byte(mac), []byte(srv.mac(e))) {
		return "invalid"
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || !srv.wall().Before(time.Unix(exp, 0)) {
		return "expired"
	}
	return ""
}

// token is the OAuth 2.0 token endpoint: the JWT bearer grant of a service account key
// (RFC 7523) and the token exchange of workload identity federation (RFC 8693). The
// assertion's signature is not checked; its issuer must be the configured service account.
func (srv *server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "unreadable form")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		if iss := jwtIssuer(r.PostForm.Get("assertion")); iss != srv.cfg.ServiceAccount {
			oauthError(w, "invalid_grant", "Invalid grant: account not found")
			return
		}
	case "urn:ietf:params:oauth:grant-type:token-exchange":
		if r.PostForm.Get("subject_token") == "" || r.PostForm.Get("audience") == "" {
			oauthError(w, "invalid_request", "subject_token and audience are required")
			return
		}
	default:
		oauthError(w, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
		return
	}
	srv.sim.CountCall("", "", ServiceOAuth, OpToken)
	tok := srv.issueToken(srv.wall().Add(tokenLifetime))
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "expires_in": int(tokenLifetime.Seconds()) - 1, "token_type": "Bearer",
		"issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
	})
}

func oauthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}

// jwtIssuer reads the iss claim of a JWT without checking its signature.
func jwtIssuer(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	_ = json.Unmarshal(b, &claims)
	return claims.Iss
}

// WriteServiceAccountKey writes a service account key file for the configured service
// account, with a new RSA key and the simulator's token endpoint as token_uri: what
// `credentials.NewCredentialsFromFile(credentials.ServiceAccount, ...)` and a collector's
// `auth.key_file` read.
func WriteServiceAccountKey(path, tokenURI, serviceAccount, project string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(map[string]string{
		"type": "service_account", "project_id": project, "private_key_id": "sim",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": serviceAccount, "client_id": "100000000000000000001",
		"auth_uri": tokenURI, "token_uri": tokenURI,
	}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}
