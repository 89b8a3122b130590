package mcobsalertmanagerexporter

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/analytics/detect"
	"github.com/mcobs/mcobs/internal/anomalymetrics"
	"github.com/mcobs/mcobs/internal/pdatautil"
)

// alert is one alert of Alertmanager's v2 API (POST /api/v2/alerts, a JSON array of these).
type alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     string            `json:"startsAt,omitempty"`
	EndsAt       string            `json:"endsAt,omitempty"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// observation is the level of one series at one point.
type observation struct {
	key    string
	labels map[string]string
	ts     pcommon.Timestamp
	level  int
	values values
}

// values are the scored point's other anomaly outputs, for the alert's annotations.
type values struct {
	score, expected, lower, upper float64
	has                           bool
	kind                          string // at warning and critical points only
}

// observe extracts every anomaly.level point whose value is 1 (the current level) from md,
// with the score, expectation, band and kind of the same series and timestamp, ordered by time.
func observe(md pmetric.Metrics) []observation {
	var out []observation
	for _, rm := range md.ResourceMetrics().All() {
		res := rm.Resource().Attributes()
		extra := map[string]*values{}
		var obs []observation
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				dps, ok := pdatautil.NumberPoints(m)
				if !ok {
					continue
				}
				for _, dp := range dps.All() {
					switch m.Name() {
					case anomalymetrics.Level:
						lv, ok := dp.Attributes().Get(anomalymetrics.AttrLevel)
						if !ok || value(dp) != 1 {
							continue
						}
						l, ok := detect.ParseLevel(lv.Str())
						if !ok {
							continue
						}
						idx := int(l)
						labels := seriesLabels(res, dp.Attributes())
						obs = append(obs, observation{key: labelsKey(labels), labels: labels, ts: dp.Timestamp(), level: idx})
					case anomalymetrics.Score, anomalymetrics.Expected, anomalymetrics.Lower, anomalymetrics.Upper, anomalymetrics.Kind:
						k := labelsKey(seriesLabels(res, dp.Attributes())) + "\x00" + strconv.FormatUint(uint64(dp.Timestamp()), 10)
						v := extra[k]
						if v == nil {
							v = &values{}
							extra[k] = v
						}
						if m.Name() == anomalymetrics.Kind {
							if kind, ok := dp.Attributes().Get(anomalymetrics.AttrKind); ok {
								v.kind = kind.Str()
							}
							continue
						}
						v.has = true
						switch m.Name() {
						case anomalymetrics.Score:
							v.score = value(dp)
						case anomalymetrics.Expected:
							v.expected = value(dp)
						case anomalymetrics.Lower:
							v.lower = value(dp)
						case anomalymetrics.Upper:
							v.upper = value(dp)
						}
					}
				}
			}
		}
		for i := range obs {
			if v := extra[obs[i].key+"\x00"+strconv.FormatUint(uint64(obs[i].ts), 10)]; v != nil {
				obs[i].values = *v
			}
		}
		out = append(out, obs...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ts < out[j].ts })
	return out
}

func value(dp pmetric.NumberDataPoint) float64 {
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue())
	}
	return dp.DoubleValue()
}

// seriesLabels are the resource and point attributes, except the level and kind, named as
// Prometheus names them after remote write (dots and other characters become underscores), so
// the instant alerts group, route and inhibit with the rule alerts of the same target.
func seriesLabels(res, attrs pcommon.Map) map[string]string {
	l := make(map[string]string, res.Len()+attrs.Len())
	for _, m := range []pcommon.Map{res, attrs} {
		for k, v := range m.All() {
			if k == anomalymetrics.AttrLevel || k == anomalymetrics.AttrKind {
				continue
			}
			if s := v.AsString(); s != "" {
				l[labelName(k)] = s
			}
		}
	}
	return l
}

// labelName turns an attribute key into a Prometheus label name.
func labelName(k string) string {
	var b strings.Builder
	for i, r := range k {
		switch {
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// labelsKey is a canonical string of a label set.
func labelsKey(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0x1f)
		b.WriteString(l[k])
		b.WriteByte(0x1e)
	}
	return b.String()
}

// target names the resource an alert is about, preferring what a person recognizes.
func target(l map[string]string) string {
	for _, k := range []string{"host_name", "host_id", "cloud_resource_id", "service_name"} {
		if v := l[k]; v != "" {
			return v
		}
	}
	return "unknown resource"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// annotations describe the alert: what, where (cloud, account, region, resource) and how much.
func annotations(l map[string]string, level string, v values) map[string]string {
	metric := orDash(l["anomaly_metric"])
	where := "cloud " + orDash(l["cloud_provider"]) + ", account " + orDash(l["cloud_account_id"]) +
		", region " + orDash(l["cloud_region"]) + ", resource " + target(l)
	a := map[string]string{
		"summary": level + " anomaly in " + metric + " of " + target(l),
		"description": "The anomaly processor rates " + metric + " of " + where + " as " + level +
			" (sent by the collector's instant path, not by a Prometheus rule).",
		"runbook": "Compare the series with its expected band (anomaly_lower/anomaly_upper) on the anomalies dashboard; " +
			"if the change is expected (a deploy, a batch job), silence it in Alertmanager.",
	}
	if v.has {
		f := func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
		a["value"] = f(v.score)
		a["description"] += " Score " + f(v.score) + ", expected " + f(v.expected) +
			", band [" + f(v.lower) + ", " + f(v.upper) + "]."
	}
	if v.kind != "" {
		a["kind"] = v.kind
		if k, ok := detect.ParseKind(v.kind); ok && k != detect.KindNone {
			a["description"] += " Kind " + v.kind + ": " + k.Meaning() + "."
		}
	}
	return a
}
