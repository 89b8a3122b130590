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

// matrixJSON is a query_range answer holding series series of n points at step ending at end
// (hosts web-1, web-2, ...): a daily season, a trend and noise, as Prometheus would send it.
func matrixJSON(series, n int, step time.Duration, end time.Time) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[`)
	start := end.Add(-time.Duration(n-1) * step)
	for s := range series {
		if s > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"metric":{"__name__":"demo_load","host_name":"web-%d"},"values":[`, s+1)
		for i := range n {
			t := start.Add(time.Duration(i) * step)
			v := 0.5 + 0.1*math.Sin(2*math.Pi*float64(t.Unix()%86400)/86400) + float64(i)*1e-5*float64(s+1) + 0.02*rng.NormFloat64()
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `[%d,"%s"]`, t.Unix(), strconv.FormatFloat(v, 'f', -1, 64))
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// benchQuery runs the query in js against a canned Prometheus answer body.
func benchQuery(b *testing.B, name string, body []byte, js string) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ds := newTestDatasource(b, srv.URL, `{}`, nil)
	req := &backend.QueryDataRequest{Queries: []backend.DataQuery{dataQuery("A", js, fixtureEnd.Add(-time.Hour), fixtureEnd, 0)}}
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			resp, err := ds.QueryData(context.Background(), req)
			if err != nil || resp.Responses["A"].Error != nil {
				b.Fatal(err, resp.Responses["A"].Error)
			}
		}
	})
}

// BenchmarkForecastQuery is a whole forecast query (HTTP answer decoded, model fitted, frame
// built) over 30 days of 5-minute data with a one-day horizon, from a canned Prometheus answer
// so that only the plugin is measured.
func BenchmarkForecastQuery(b *testing.B) {
	for _, days := range []int{7, 30} {
		n := days * 288
		js := fmt.Sprintf(`{"queryType":"forecast","expr":"demo_load","history":"%dd","step":"5m","horizon":"1d"}`, days)
		benchQuery(b, fmt.Sprintf("points=%d", n), matrixJSON(1, n, 5*time.Minute, fixtureEnd), js)
	}
}

// BenchmarkRunwayQuery is a fleet runway: one resource over targets series of 28 days at the
// runway's 1h step, 90 days ahead, every series fitted (on all cores) and tabulated.
func BenchmarkRunwayQuery(b *testing.B) {
	js := `{"queryType":"runway","resources":[{"name":"load","expr":"demo_load","threshold":0.9}]}`
	for _, targets := range []int{10, 100} {
		benchQuery(b, fmt.Sprintf("targets=%d", targets), matrixJSON(targets, 28*24, time.Hour, fixtureEnd), js)
	}
}
