package plugin

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/prometheus/common/model"
)

// resourceMux serves the query editor's lookups under the datasource's resource path:
//
//	GET metrics[?match=SELECTOR]            metric names
//	GET labels[?match=SELECTOR]             label names
//	GET label-values?label=NAME[&match=...] values of one label
//
// Each answers a JSON array of strings, sorted; an error is {"error": "..."}.
func (d *Datasource) resourceMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		v, err := d.prom.labelValues(r.Context(), model.MetricNameLabel, r.URL.Query()["match"])
		writeList(w, v, err)
	})
	mux.HandleFunc("GET /labels", func(w http.ResponseWriter, r *http.Request) {
		v, err := d.prom.labelNames(r.Context(), r.URL.Query()["match"])
		writeList(w, v, err)
	})
	mux.HandleFunc("GET /label-values", func(w http.ResponseWriter, r *http.Request) {
		label := r.URL.Query().Get("label")
		// Any non-empty UTF-8 name may be a label since Prometheus 3; the server judges the rest.
		if label == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "query parameter `label` is required"})
			return
		}
		v, err := d.prom.labelValues(r.Context(), label, r.URL.Query()["match"])
		writeList(w, v, err)
	})
	return mux
}

func writeList(w http.ResponseWriter, v []string, err error) {
	if err != nil {
		// A selector Prometheus rejects is the editor's to fix; anything else is the server's.
		status := http.StatusBadGateway
		if se := (*serverError)(nil); errors.As(err, &se) && se.isBadQuery() {
			status = http.StatusBadRequest
		}
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return
	}
	if v == nil {
		v = []string{}
	}
	slices.Sort(v)
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client has gone if this fails; nothing to tell it
}
