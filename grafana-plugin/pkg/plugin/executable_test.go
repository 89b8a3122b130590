package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// buildExecutable builds pkg/ as Grafana expects to find it: gpx_mcobs_insights_<os>_<arch>.
func buildExecutable(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "gpx_mcobs_insights_"+runtime.GOOS+"_"+runtime.GOARCH)
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", exe, "./pkg")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// startExecutable starts the plugin the way Grafana's pkg/plugins/backendplugin/grpcplugin
// does: a go-plugin client with the SDK's handshake, gRPC only, one plugin set per protocol
// version, and the diagnostics, resource and data services dispensed from it.
func startExecutable(t *testing.T, exe string) (pluginv2.DiagnosticsClient, pluginv2.DataClient, pluginv2.ResourceClient) {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "GF_VERSION=12.4.2", "GF_EDITION=oss")
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"data":        &grpcplugin.DataGRPCPlugin{},
		}},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: io.Discard}),
		StartTimeout:     time.Minute,
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	dispense := func(name string) any {
		raw, err := rpc.Dispense(name)
		if err != nil {
			t.Fatalf("dispense %q: %v", name, err)
		}
		return raw
	}
	return dispense("diagnostics").(pluginv2.DiagnosticsClient), dispense("data").(pluginv2.DataClient), dispense("resource").(pluginv2.ResourceClient)
}

func TestExecutableOverGRPC(t *testing.T) {
	promURL := realPrometheus(t)
	exe := buildExecutable(t)
	diag, dataClient, resClient := startExecutable(t, exe)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pc := backend.ToProto().PluginContext(backend.PluginContext{
		Namespace: "default", PluginID: "mcobs-insights-datasource",
		DataSourceInstanceSettings: &backend.DataSourceInstanceSettings{
			ID: 1, UID: "mcobs-insights", Type: "mcobs-insights-datasource", Name: "mcobs Insights",
			URL: promURL, JSONData: json.RawMessage(`{"timeout":60}`), Updated: fixtureEnd,
		},
	})

	health, err := diag.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: pc})
	if err != nil {
		t.Fatal(err)
	}
	if health.Status != pluginv2.CheckHealthResponse_OK {
		t.Fatalf("health %v: %s", health.Status, health.Message)
	}

	req := backend.ToProto().QueryDataRequest(&backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("F", `{"queryType":"forecast","expr":"demo_load","history":"7d","step":"1h","horizon":"2d"}`, fixtureEnd.Add(-time.Hour), fixtureEnd, 0),
		dataQuery("R", `{"queryType":"runway","resources":[{"name":"cpu"},{"name":"disk"},{"name":"filesystem"}]}`, fixtureEnd.Add(-time.Hour), fixtureEnd, 0),
	}})
	req.PluginContext = pc
	raw, err := dataClient.QueryData(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := backend.FromProto().QueryDataResponse(raw)
	if err != nil {
		t.Fatal(err)
	}
	checkForecastNumbers(t, resp.Responses["F"])
	checkRunwayNumbers(t, resp.Responses["R"], []runwayWant{
		{"filesystem", varRunwayDays}, {"disk", diskRunwayDays}, {"cpu", cpuRunwayDays}, {"filesystem", math.NaN()},
	})

	stream, err := resClient.CallResource(ctx, &pluginv2.CallResourceRequest{PluginContext: pc, Path: "metrics", Method: "GET", Url: "metrics?match=%7Bhost_name%3D%22web-1%22%7D"})
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if chunk.Code != 200 {
			t.Fatalf("metrics: HTTP %d %s", chunk.Code, chunk.Body)
		}
		body = append(body, chunk.Body...)
	}
	var metrics []string
	if err := json.Unmarshal(body, &metrics); err != nil {
		t.Fatal(err)
	}
	want := []string{"anomaly_expected", "anomaly_kind", "anomaly_level", "anomaly_lower", "anomaly_upper", "demo_load", "system_cpu_utilization_ratio", "system_memory_utilization_ratio"}
	if !slices.Equal(metrics, want) {
		t.Fatalf("metrics of web-1 %q, want %q", metrics, want)
	}
}

// checkForecastNumbers compares the forecast of demo_load with the curve it was drawn from
// (noise σ = 2): the point forecast within 3σ and the noise-free curve inside the 95% interval
// at every step of the two days.
func checkForecastNumbers(t *testing.T, dr backend.DataResponse) {
	t.Helper()
	if dr.Error != nil || len(dr.Frames) != 1 {
		t.Fatalf("forecast: error %v, %d frames", dr.Error, len(dr.Frames))
	}
	f := dr.Frames[0]
	col := func(name string) *data.Field {
		fld, _ := f.FieldByName(name)
		if fld == nil {
			t.Fatalf("forecast frame has no field %q", name)
		}
		return fld
	}
	tf, mean, lo, hi, value := col("time"), col("forecast"), col("lower_95"), col("upper_95"), col("value")
	steps := 0
	for i := range f.Rows() {
		ts := tf.At(i).(time.Time)
		if !ts.After(fixtureEnd) {
			if v, ok := value.ConcreteAt(i); ts.Equal(fixtureEnd.Add(-7*24*time.Hour)) && (!ok || math.Abs(v.(float64)-demoLoadAt(ts)) > 8) {
				t.Errorf("history at %v: %v, want about %.1f", ts, v, demoLoadAt(ts))
			}
			continue
		}
		steps++
		m, _ := mean.ConcreteAt(i)
		l, _ := lo.ConcreteAt(i)
		h, _ := hi.ConcreteAt(i)
		truth := demoLoadAt(ts)
		if math.Abs(m.(float64)-truth) > 6 || l.(float64) > truth || h.(float64) < truth {
			t.Errorf("%v: forecast %.2f [%.2f, %.2f], curve %.2f", ts, m, l, h, truth)
		}
	}
	if steps != 48 {
		t.Errorf("%d forecast steps, want 48 (2d at 1h)", steps)
	}
	if n := f.Meta.Notices; len(n) == 0 || !slices.ContainsFunc(n, func(x data.Notice) bool { return len(x.Text) > 14 && x.Text[:14] == "model seasonal" }) {
		t.Errorf("notices %+v, want the seasonal model", n)
	}
}

// runwayWant is a row of a runway table: NaN days for "not within horizon".
type runwayWant struct {
	resource string
	days     float64
}

// checkRunwayNumbers compares the runway of the fixture's series with their analytic crossings
// (to the hour), in order of the soonest, and checks that the pessimistic crossing comes no
// later and the optimistic no earlier than the expected one.
func checkRunwayNumbers(t *testing.T, dr backend.DataResponse, want []runwayWant) {
	t.Helper()
	if dr.Error != nil || len(dr.Frames) != 1 {
		t.Fatalf("runway: error %v, %d frames", dr.Error, len(dr.Frames))
	}
	f := dr.Frames[0]
	res, _ := f.FieldByName("resource")
	dd, _ := f.FieldByName("days")
	pess, _ := f.FieldByName("pessimistic_days")
	opt, _ := f.FieldByName("optimistic_days")
	if res == nil || dd == nil || pess == nil || opt == nil {
		t.Fatalf("runway frame lacks resource or a days column: %v", f.Fields)
	}
	if f.Rows() != len(want) {
		t.Fatalf("%d rows, want %d", f.Rows(), len(want))
	}
	for i, w := range want {
		d, ok := dd.ConcreteAt(i)
		if res.At(i).(string) != w.resource || ok == math.IsNaN(w.days) || (ok && math.Abs(d.(float64)-w.days) > 1.0/24) {
			t.Errorf("row %d: %s in %v days, want %s in %v", i, res.At(i), d, w.resource, w.days)
		}
		p, pok := pess.ConcreteAt(i)
		o, ook := opt.ConcreteAt(i)
		if ok && (!pok || p.(float64) > d.(float64) || (ook && o.(float64) < d.(float64))) {
			t.Errorf("row %d: pessimistic %v, expected %v, optimistic %v out of order", i, p, d, o)
		}
	}
}
