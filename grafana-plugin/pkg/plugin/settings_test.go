package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestLoadSettings(t *testing.T) {
	t.Parallel()
	f := func(s backend.DataSourceInstanceSettings, wantErr string, check func(Settings)) {
		t.Helper()
		st, err := loadSettings(context.Background(), s)
		if wantErr != "" {
			if err == nil || err.Error() != wantErr {
				t.Fatalf("error %v, want %q", err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		check(st)
	}
	ok := func(url, jd string) backend.DataSourceInstanceSettings {
		return backend.DataSourceInstanceSettings{URL: url, JSONData: json.RawMessage(jd)}
	}
	// Defaults: no auth, 30 s, trailing slash dropped.
	f(ok("http://127.0.0.1:9090/", `{}`), "", func(s Settings) {
		if s.AuthType != authNone || s.Timeout != 30*time.Second || s.URL.String() != "http://127.0.0.1:9090" || s.HTTP.BasicAuth != nil {
			t.Fatalf("%+v", s)
		}
	})
	// Timeout as a number or a string of seconds.
	f(ok("https://mimir.example/prometheus", `{"timeout":"12.5"}`), "", func(s Settings) {
		if s.Timeout != 12500*time.Millisecond || s.HTTP.Timeouts.Timeout != s.Timeout {
			t.Fatalf("%+v", s)
		}
	})
	// Basic auth from Grafana's standard fields.
	f(backend.DataSourceInstanceSettings{
		URL: "http://p:9090", BasicAuthEnabled: true, BasicAuthUser: "u",
		DecryptedSecureJSONData: map[string]string{"basicAuthPassword": "pw"},
	}, "", func(s Settings) {
		if s.AuthType != authBasic || s.HTTP.BasicAuth == nil || s.HTTP.BasicAuth.User != "u" || s.HTTP.BasicAuth.Password != "pw" {
			t.Fatalf("%+v", s)
		}
	})
	// Bearer: the token, and no basic auth even if a user was left behind.
	f(backend.DataSourceInstanceSettings{
		URL: "http://p:9090", BasicAuthUser: "stale", JSONData: json.RawMessage(`{"authType":"bearer"}`),
		DecryptedSecureJSONData: map[string]string{"bearerToken": "tok"},
	}, "", func(s Settings) {
		if s.BearerToken != "tok" || s.HTTP.BasicAuth != nil {
			t.Fatalf("%+v", s)
		}
	})
	// Every problem at once, each naming its key and value.
	f(ok("ftp://x", `{"authType":"oauth","timeout":"soon"}`), "`url` must be an absolute http or https URL such as http://127.0.0.1:9090, got \"ftp://x\"\n"+
		"`jsonData.authType` must be none, basic or bearer, got \"oauth\"\n"+
		"`jsonData.timeout` must be a number of seconds between 0 and 3600, got \"\\\"soon\\\"\"", nil)
	// A chosen mode without its credential.
	f(ok("http://p:9090", `{"authType":"bearer"}`), "`secureJsonData.bearerToken` must be set when `jsonData.authType` is \"bearer\"", nil)
	f(ok("http://p:9090", `{"authType":"basic"}`), "`basicAuthUser` must be set when `jsonData.authType` is \"basic\"", nil)
	f(ok("", `{}`), "`url` must be an absolute http or https URL such as http://127.0.0.1:9090, got \"\"", nil)
}

// TestAuthHeaders checks what reaches the server for each auth type.
func TestAuthHeaders(t *testing.T) {
	t.Parallel()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"status":"success","data":{"version":"3"}}`))
	}))
	defer srv.Close()
	for _, s := range []backend.DataSourceInstanceSettings{
		{URL: srv.URL, JSONData: json.RawMessage(`{}`)},
		{URL: srv.URL, BasicAuthEnabled: true, BasicAuthUser: "u", DecryptedSecureJSONData: map[string]string{"basicAuthPassword": "pw"}},
		{URL: srv.URL, JSONData: json.RawMessage(`{"authType":"bearer"}`), DecryptedSecureJSONData: map[string]string{"bearerToken": "tok"}},
	} {
		inst, err := NewDatasource(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inst.(*Datasource).CheckHealth(context.Background(), &backend.CheckHealthRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"", "Basic dTpwdw==", "Bearer tok"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Authorization headers %q, want %q", got, want)
	}
}
