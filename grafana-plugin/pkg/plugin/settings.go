package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
)

// Authentication modes of jsonData.authType.
const (
	authNone   = "none"
	authBasic  = "basic"
	authBearer = "bearer"
)

// defaultTimeout bounds one Prometheus request when jsonData.timeout is unset: long enough for a
// 28-day range query on a busy server, short enough that a dead server does not hang a panel.
const defaultTimeout = 30 * time.Second

// Settings are a datasource instance's parsed settings.
type Settings struct {
	// URL is the base of the Prometheus HTTP API, without a trailing slash.
	URL *url.URL
	// AuthType is none, basic or bearer.
	AuthType string
	// BearerToken is sent as "Authorization: Bearer ..." when AuthType is bearer. Never logged.
	BearerToken string
	// Timeout bounds each request to Prometheus.
	Timeout time.Duration
	// HTTP carries basic auth, TLS and timeouts for the SDK's HTTP client.
	HTTP httpclient.Options
}

// jsonData holds the keys of jsonData this plugin reads itself; the SDK reads the standard
// HTTP keys (basic auth, TLS).
type jsonData struct {
	AuthType string          `json:"authType"`
	Timeout  json.RawMessage `json:"timeout"`
}

// loadSettings parses and checks instance settings, reporting every problem at once, each
// naming the JSON key and the bad value, so the config editor's "Save & test" says what to fix.
func loadSettings(ctx context.Context, s backend.DataSourceInstanceSettings) (Settings, error) {
	var errs []error
	var jd jsonData
	if len(s.JSONData) > 0 {
		if err := json.Unmarshal(s.JSONData, &jd); err != nil {
			return Settings{}, fmt.Errorf("parse jsonData: %w", err)
		}
	}
	st := Settings{AuthType: jd.AuthType}
	u, err := parseBaseURL(s.URL)
	if err != nil {
		errs = append(errs, err)
	}
	st.URL = u
	if st.AuthType == "" {
		st.AuthType = authNone
		if s.BasicAuthEnabled {
			st.AuthType = authBasic
		}
	}
	switch st.AuthType {
	case authNone:
	case authBasic:
		if s.BasicAuthUser == "" {
			errs = append(errs, errors.New("`basicAuthUser` must be set when `jsonData.authType` is \"basic\""))
		}
	case authBearer:
		st.BearerToken = s.DecryptedSecureJSONData["bearerToken"]
		if st.BearerToken == "" {
			errs = append(errs, errors.New("`secureJsonData.bearerToken` must be set when `jsonData.authType` is \"bearer\""))
		}
	default:
		errs = append(errs, fmt.Errorf("`jsonData.authType` must be none, basic or bearer, got %q", st.AuthType))
	}
	st.Timeout, err = parseTimeout(jd.Timeout)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Settings{}, errors.Join(errs...)
	}
	st.HTTP, err = s.HTTPClientOptions(ctx)
	if err != nil {
		return Settings{}, fmt.Errorf("read HTTP settings: %w", err)
	}
	if st.AuthType == authBasic {
		st.HTTP.BasicAuth = &httpclient.BasicAuthOptions{User: s.BasicAuthUser, Password: s.DecryptedSecureJSONData["basicAuthPassword"]}
	} else {
		// Only the chosen mode authenticates: a stale basic user left behind by the config
		// editor must not be sent with a bearer token.
		st.HTTP.BasicAuth = nil
	}
	if st.HTTP.Timeouts == nil {
		st.HTTP.Timeouts = &httpclient.TimeoutOptions{}
	}
	st.HTTP.Timeouts.Timeout = st.Timeout
	return st, nil
}

// parseBaseURL accepts an absolute http(s) URL, such as http://127.0.0.1:9090 or a path prefix
// like https://mimir.example/prometheus.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("`url` must be an absolute http or https URL such as http://127.0.0.1:9090, got %q", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// parseTimeout reads jsonData.timeout in seconds, as a number or a numeric string (Grafana's
// config editors store either).
func parseTimeout(raw json.RawMessage) (time.Duration, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return defaultTimeout, nil
	}
	sec, err := strconv.ParseFloat(s, 64)
	if err != nil || sec <= 0 || sec > 3600 {
		return 0, fmt.Errorf("`jsonData.timeout` must be a number of seconds between 0 and 3600, got %q", string(raw))
	}
	return time.Duration(sec * float64(time.Second)), nil
}
