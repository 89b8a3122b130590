package actions

import (
	"bytes"
	"html/template"
	"net/http"
	"time"
)

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"t": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mcobs actions: history</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:2em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#eee}
pre{margin:0;max-width:60em;white-space:pre-wrap}.rejected,.failed,.error,.timeout{color:#a00}
</style></head><body>
<h1>mcobs actions</h1>
<form method="get" action="/"><label>alertname <input name="alertname" value="{{.Q.Alertname}}"></label>
<label>status <input name="status" value="{{.Q.Status}}"></label>
<label>limit <input name="limit" value="{{.Q.Limit}}" size="5"></label> <button>filter</button></form>
<h2>Trigger events</h2>
<table id="events"><thead><tr><th>received</th><th>alertname</th><th>status</th><th>severity</th><th>scenario</th><th>outcome</th><th>detail</th><th>labels</th></tr></thead><tbody>
{{range .H.Events}}<tr class="{{.Outcome}}"><td>{{t .ReceivedAt}}</td><td>{{.Alertname}}</td><td>{{.Status}}</td><td>{{.Severity}}</td><td>{{.Scenario}}</td><td>{{.Outcome}}</td><td>{{.Detail}}</td><td><pre>{{range $k, $v := .Labels}}{{$k}}={{printf "%q" $v}}
{{end}}</pre></td></tr>
{{else}}<tr><td colspan="8">no events</td></tr>{{end}}</tbody></table>
<h2>Escalation stages</h2>
<table id="stages"><thead><tr><th>due</th><th>alertname</th><th>scenario</th><th>stage</th><th>state</th><th>finished</th><th>detail</th></tr></thead><tbody>
{{range .H.Stages}}<tr class="{{.State}}"><td>{{t .DueAt}}</td><td>{{.Alertname}}</td><td>{{.Scenario}}</td><td>{{.Index}} {{.Name}}</td><td>{{.State}}</td><td>{{t .FinishedAt}}</td><td>{{.Detail}}</td></tr>
{{else}}<tr><td colspan="7">no stages</td></tr>{{end}}</tbody></table>
<h2>Action history</h2>
<table id="actions"><thead><tr><th>finished</th><th>alertname</th><th>scenario / stage</th><th>action</th><th>status</th><th>code</th><th>output</th></tr></thead><tbody>
{{range .H.Actions}}<tr class="{{.Status}}"><td>{{t .FinishedAt}}</td><td>{{.Alertname}}</td><td>{{.Scenario}} / {{.Stage}}</td><td>{{.Kind}} {{.Target}}</td><td>{{.Status}}</td><td>{{.ExitCode}}</td><td><pre>{{.Output}}{{if .Truncated}} [truncated]{{end}}{{if .Error}}
{{.Error}}{{end}}</pre></td></tr>
{{else}}<tr><td colspan="7">no actions</td></tr>{{end}}</tbody></table>
</body></html>
`))

// pageCSP allows the page nothing but its inline style and its own filter form: no script
// runs even if a label value ever got past the template's escaping, and no other site can
// frame it.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	q, h, ok := s.readHistory(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, struct {
		Q Query
		H *History
	}{q, h}); err != nil {
		http.Error(w, "render history", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
}
