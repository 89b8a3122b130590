package plugin

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// matrixJSON is a query_range answer holding one series of n points at step ending at end:
// a daily season, a trend and noise, as Prometheus would send it.
func matrixJSON(n int, step time.Duration, end time.Time) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"demo_load","host_name":"web-1"},"values":[`)
	start := end.Add(-time.Duration(n-1) * step)
	for i := range n {
		t := start.Add(time.Duration(i) * step)
		v := 100 + 20*math.Sin(2*math.Pi*float64(t.Unix()%86400)/86400) + float64(i)*0.001 + 2*rng.NormFloat64()
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `[%d,"%s"]`, t.Unix(), strconv.FormatFloat(v, 'f', -1, 64))
	}
	b.WriteString(`]}]}}`)
	return []byte(b.String())
}

// BenchmarkForecastQuery is a whole forecast query (HTTP answer decoded, model fitted, frame
// built) over 30 days of 5-minute data with a one-day horizon, from a canned Prometheus answer
// so that only the plugin is measured.
func BenchmarkForecastQuery(b *testing.B) {
	for _, days := range []int{7, 30} {
		n := days * 288
		body := matrixJSON(n, 5*time.Minute, fixtureEnd)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(body)
		}))
		ds := newTestDatasource(b, srv.URL, `{}`, nil)
		js := fmt.Sprintf(`{"queryType":"forecast","expr":"demo_load","history":"%dd","step":"5m","horizon":"1d"}`, days)
		req := &backend.QueryDataRequest{Queries: []backend.DataQuery{dataQuery("A", js, fixtureEnd.Add(-time.Hour), fixtureEnd, 0)}}
		b.Run(fmt.Sprintf("points=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				resp, err := ds.QueryData(context.Background(), req)
				if err != nil || resp.Responses["A"].Error != nil {
					b.Fatal(err, resp.Responses["A"].Error)
				}
			}
		})
		srv.Close()
	}
}
