package simazure

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
)

// tokenLifetime is what Entra ID grants a client credentials token (expires_in 3599).
const tokenLifetime = 3599 * time.Second

// claims is the content of a simulated access token. The token is opaque to clients (no
// JWT): the payload and an HMAC over it, which only the simulator can produce and check.
type claims struct {
	Tenant   string `json:"tid"`
	AppID    string `json:"appid"`
	Audience string `json:"aud"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
}

const tokenPrefix = "simaz."

func signingKey(cfg sim.Config) []byte {
	k := sha256.Sum256(fmt.Appendf(nil, "mcobs-sim-azure|%d|%s|%s|%s", cfg.Seed, cfg.Azure.TenantID, cfg.Azure.ClientID, cfg.Azure.ClientSecret))
	return k[:]
}

func (srv *server) mint(c claims) string {
	payload, _ := json.Marshal(c)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return tokenPrefix + p + "." + base64.RawURLEncoding.EncodeToString(srv.sign(p))
}

func (srv *server) sign(payload string) []byte {
	mac := hmac.New(sha256.New, srv.key)
	mac.Write([]byte(payload))
	return mac.Sum(nil)
}

var errBadToken = errors.New("token not issued by this simulator")

func (srv *server) parseToken(tok string) (claims, error) {
	rest, ok := strings.CutPrefix(tok, tokenPrefix)
	if !ok {
		return claims{}, errBadToken
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return claims{}, errBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, srv.sign(p)) {
		return claims{}, errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return claims{}, errBadToken
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil || c.Tenant != srv.cfg.TenantID {
		return claims{}, errBadToken
	}
	return c, nil
}

// authenticate checks the bearer token of an API call and returns the rejection reason
// counted in /sim/stats with the error to answer. Token lifetimes are on the wall clock, the
// clock the client's token cache uses, so a stepped test clock never expires a token the
// client still considers valid; expired tokens in tests come from the fault schedule.
func (srv *server) authenticate(r *http.Request) (string, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "missing_authentication", apiErrorf(http.StatusUnauthorized, "AuthenticationFailed",
			"Authentication failed. The 'Authorization' header is missing.")
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return "invalid_token", apiErrorf(http.StatusUnauthorized, "AuthenticationFailedInvalidHeader",
			"Authentication failed. The 'Authorization' header is provided in an invalid format.")
	}
	c, err := srv.parseToken(tok)
	if err != nil {
		return "invalid_token", apiErrorf(http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
	}
	if now := srv.wall(); now.Unix() >= c.Expires {
		return "expired_token", srv.expiredError(r, now)
	}
	return "", nil
}

// openIDConfiguration serves the tenant's OpenID Connect metadata, from which MSAL takes the
// token endpoint. The issuer is on the simulator's own host, as MSAL checks.
func (srv *server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !strings.EqualFold(tenant, srv.cfg.TenantID) {
		srv.sim.CountRejected("unknown_tenant")
		writeOAuthError(w, http.StatusBadRequest, "invalid_tenant", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
		return
	}
	base := baseURL(r) + "/" + srv.cfg.TenantID
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"request_uri_parameter_supported":       false,
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"tenant_region_scope":                   nil,
		"cloud_instance_name":                   "simulator",
		"cloud_graph_host_name":                 r.Host,
		"msgraph_host":                          r.Host,
	})
}

// token is the client credentials grant of the v2.0 token endpoint.
func (srv *server) token(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !strings.EqualFold(tenant, srv.cfg.TenantID) {
		srv.sim.CountRejected("unknown_tenant")
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", 90002, fmt.Sprintf("Tenant '%s' not found.", tenant))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		srv.sim.CountRejected("malformed_request")
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the parameter 'grant_type'.")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		srv.sim.CountRejected("unsupported_grant_type")
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'; the simulator supports client_credentials.", gt))
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	if id != srv.cfg.ClientID {
		srv.sim.CountRejected("invalid_client")
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", id, srv.cfg.TenantID))
		return
	}
	if r.PostForm.Get("client_assertion_type") == jwtBearer {
		if err := srv.verifyAssertion(id, r.PostForm.Get("client_assertion")); err != nil {
			srv.sim.CountRejected("invalid_client")
			writeOAuthError(w, http.StatusUnauthorized, "invalid_client", 700027, err.Error())
			return
		}
	} else if subtle.ConstantTimeCompare([]byte(secret), []byte(srv.cfg.ClientSecret)) != 1 {
		srv.sim.CountRejected("invalid_client")
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", 7000215,
			fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", id))
		return
	}
	scope := r.PostForm.Get("scope")
	aud, ok := audienceOf(scope)
	if !ok {
		srv.sim.CountRejected("invalid_scope")
		writeOAuthError(w, http.StatusBadRequest, "invalid_scope", 1002012,
			fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope))
		return
	}
	srv.sim.CountCall(srv.cfg.TenantID, "", Service, OpToken)
	if srv.tokenFault(w, r) {
		return
	}
	now := srv.wall()
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(tokenLifetime.Seconds()),
		"ext_expires_in": int(tokenLifetime.Seconds()),
		"access_token": srv.mint(claims{
			Tenant: srv.cfg.TenantID, AppID: id, Audience: aud, IssuedAt: now.Unix(), Expires: now.Add(tokenLifetime).Unix(),
		}),
	})
}

// tokenFault applies latency and the fault schedule to the token endpoint, but only when
// faults.operations names Token: tokens are cached for an hour, so a fault rate meant for
// API calls would otherwise fail the one token request a test makes. It reports whether it
// answered.
func (srv *server) tokenFault(w http.ResponseWriter, r *http.Request) bool {
	if !slices.Contains(srv.sim.Config().Faults.Operations, OpToken) {
		return false
	}
	if d := srv.sim.Latency(srv.cfg.TenantID, OpToken); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return true
		}
	}
	switch srv.sim.Fault(srv.cfg.TenantID, Service, OpToken) {
	case sim.FaultThrottle:
		w.Header().Set("Retry-After", "1")
		writeOAuthError(w, http.StatusTooManyRequests, "temporarily_unavailable", 50196, "The server is temporarily unavailable due to throttling.")
	case sim.FaultServerError:
		writeOAuthError(w, http.StatusInternalServerError, "server_error", 50000, "There was an error issuing a token or an issue with our sign-in service.")
	case sim.FaultExpired:
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", 7000222,
			fmt.Sprintf("The provided client secret keys for app '%s' are expired.", srv.cfg.ClientID))
	case sim.FaultMalformed:
		tw := sim.NewTruncatingWriter(w)
		writeJSON(tw, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": "simaz.truncated"})
		tw.Flush()
	default:
		return false
	}
	return true
}

// audienceOf returns the resource of a client credentials scope ("<resource>/.default").
func audienceOf(scope string) (string, bool) {
	for s := range strings.FieldsSeq(scope) {
		if aud, ok := strings.CutSuffix(s, "/.default"); ok && aud != "" {
			return aud, true
		}
	}
	return "", false
}

// writeOAuthError writes an Entra ID error body, which MSAL (and so azidentity) reports.
func writeOAuthError(w http.ResponseWriter, status int, code string, aadsts int, description string) {
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": fmt.Sprintf("AADSTS%d: %s", aadsts, description),
		"error_codes":       []int{aadsts},
		"timestamp":         time.Now().UTC().Format("2006-01-02 15:04:05Z"),
		"trace_id":          "00000000-0000-4000-a000-000000000000",
		"correlation_id":    "00000000-0000-4000-a000-000000000000",
		"error_uri":         "https://login.microsoftonline.com/error?code=" + fmt.Sprint(aadsts),
	})
}
