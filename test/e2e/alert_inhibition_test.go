package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// TestAlertmanagerInhibition posts alerts to the real Alertmanager running alertmanager.yml and
// checks its inhibit rules: a critical alert suppresses the warning and info of the same alert
// on the same target, not those of another target or another alert, and the instant path's
// McobsAnomalyInstant suppresses the rule path's McobsAnomaly of the same series and severity.
func TestAlertmanagerInhibition(t *testing.T) {
	bin := binDir(t, "alertmanager")
	runner := &amWebhookRecorder{seen: map[string]time.Time{}, token: "e2e-token"}
	rsrv := httptest.NewServer(runner)
	defer rsrv.Close()
	port := amStart(t, bin, rsrv.URL+"/api/v1/alerts", runner.token)

	target := func(host string) map[string]string {
		return map[string]string{"cloud_provider": "aws", "cloud_account_id": "111111111111", "cloud_region": "us-east-1", "host_id": host, "host_name": "web-" + host}
	}
	alert := func(name, severity, host string, extra ...string) map[string]any {
		l := target(host)
		l["alertname"], l["severity"] = name, severity
		for i := 0; i+1 < len(extra); i += 2 {
			l[extra[i]] = extra[i+1]
		}
		return map[string]any{"labels": l, "startsAt": time.Now().Add(-time.Minute).Format(time.RFC3339), "endsAt": time.Now().Add(time.Hour).Format(time.RFC3339)}
	}
	alerts := []map[string]any{
		alert("McobsCPUHigh", "critical", "i-1"),
		alert("McobsCPUHigh", "warning", "i-1"),                                                                         // suppressed by the critical
		alert("McobsCPUHigh", "info", "i-1"),                                                                            // suppressed
		alert("McobsMemoryHigh", "warning", "i-1"),                                                                      // another alert: not suppressed
		alert("McobsCPUHigh", "warning", "i-2"),                                                                         // another target: not suppressed
		alert("McobsAnomalyInstant", "warning", "i-3", "anomaly_metric", "system.cpu.utilization"),                      // source
		alert("McobsAnomaly", "warning", "i-3", "anomaly_metric", "system.cpu.utilization", "anomaly_level", "warning"), // suppressed
		alert("McobsAnomaly", "warning", "i-3", "anomaly_metric", "system.network.io", "anomaly_level", "warning"),      // another metric
	}
	body, err := json.Marshal(alerts)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://127.0.0.1:"+strconv.Itoa(port)+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post alerts: status %d", resp.StatusCode)
	}

	type key struct{ name, severity, host, metric string }
	want := map[key]string{
		{"McobsCPUHigh", "critical", "i-1", ""}:                             "active",
		{"McobsCPUHigh", "warning", "i-1", ""}:                              "suppressed",
		{"McobsCPUHigh", "info", "i-1", ""}:                                 "suppressed",
		{"McobsMemoryHigh", "warning", "i-1", ""}:                           "active",
		{"McobsCPUHigh", "warning", "i-2", ""}:                              "active",
		{"McobsAnomalyInstant", "warning", "i-3", "system.cpu.utilization"}: "active",
		{"McobsAnomaly", "warning", "i-3", "system.cpu.utilization"}:        "suppressed",
		{"McobsAnomaly", "warning", "i-3", "system.network.io"}:             "active",
	}
	var got map[key]string
	// Inhibition is evaluated as Alertmanager processes the alerts: poll until it settles.
	ok := false
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && !ok; time.Sleep(200 * time.Millisecond) {
		got = map[key]string{}
		var list []amAlert
		if err := getJSON(context.Background(), "http://127.0.0.1:"+strconv.Itoa(port)+"/api/v2/alerts", &list); err != nil {
			continue
		}
		for _, a := range list {
			got[key{a.Labels["alertname"], a.Labels["severity"], a.Labels["host_id"], a.Labels["anomaly_metric"]}] = a.Status.State
		}
		ok = len(got) == len(want)
		for k, v := range want {
			ok = ok && got[k] == v
		}
	}
	if !ok {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%+v: state %q, want %q", k, got[k], v)
			}
		}
	}
}
