package actions

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// BenchmarkWebhook measures webhooks accepted per second over HTTP with the history on:
// each request is authenticated, decoded, matched, recorded and its escalation scheduled in
// SQLite (the stages are due in an hour, so no action runs inside the measurement).
func BenchmarkWebhook(b *testing.B) {
	for _, alerts := range []int{1, 10} {
		b.Run(fmt.Sprintf("alerts=%d", alerts), func(b *testing.B) {
			cfg := `
scenarios:
  - name: disk
    matchers: ['alertname="DiskFull"']
    stages:
      - {name: chat, delay: 1h, actions: [{http: {url: "http://127.0.0.1:1/"}}]}
# %[1]s %[2]s
`
			e := newEnv(b, b.TempDir(), cfg, &fakeClock{t: t0}, ServerOptions{})
			client := e.srv.Client()
			i := 0
			body := func() []byte {
				ls := make([]map[string]string, alerts)
				for j := range ls {
					i++
					ls[j] = map[string]string{"alertname": "DiskFull", "severity": "critical", "host_id": fmt.Sprintf("i-%08d", i)}
				}
				return webhook("firing", t0.Add(time.Duration(i)*time.Second), ls...)
			}
			size := len(body())
			b.SetBytes(int64(size))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/alerts", bytes.NewReader(body()))
				req.Header.Set("Authorization", "Bearer "+testToken)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "webhooks/s")
			b.ReportMetric(float64(n*alerts)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}
