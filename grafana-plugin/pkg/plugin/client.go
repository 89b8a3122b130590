package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// maxBody bounds a Prometheus response read into memory; a 28-day range query over a few
// thousand series stays well below it.
const maxBody = 256 << 20

// promClient speaks the subset of the Prometheus HTTP API the plugin needs. It is plain HTTP
// rather than client_golang's API so that CheckHealth can tell an unreachable server, a
// rejected credential and a server that is not Prometheus apart by status code and body.
type promClient struct {
	base   *url.URL
	http   *http.Client
	bearer string
}

// serverError is a non-2xx answer, or Prometheus' own error envelope
// ({"status":"error","errorType":...,"error":...}, e.g. a PromQL parse error) whatever its status.
type serverError struct {
	Status int
	// Type is Prometheus' errorType, empty when the body was not the API's envelope; Msg is
	// Prometheus' error, or else the start of the body.
	Type string
	Msg  string
}

func (e *serverError) Error() string {
	if e.Type != "" {
		return e.Type + ": " + e.Msg
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Msg)
}

// isAuth says the server refused the credentials.
func (e *serverError) isAuth() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// isBadQuery says Prometheus rejected the query or selector itself.
func (e *serverError) isBadQuery() bool {
	return e.Type != "" && (e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity)
}

// notAPIError is a 2xx answer whose body is not the API's JSON envelope.
type notAPIError struct {
	Body string
	Err  error
}

func (e *notAPIError) Error() string {
	return fmt.Sprintf("not a Prometheus API answer (%v): %q", e.Err, e.Body)
}

func (e *notAPIError) Unwrap() error { return e.Err }

// envelope is the API's answer around every result.
type envelope struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
}

// get calls path with params and decodes the envelope's data into out, returning the warnings.
func (c *promClient) get(ctx context.Context, path string, params url.Values, out any) ([]string, error) {
	u := c.base.JoinPath(path)
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request for %q: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read answer of %q: %w", path, err)
	}
	var env envelope
	jsonErr := json.Unmarshal(body, &env)
	switch {
	case jsonErr == nil && env.Status == "error":
		return env.Warnings, &serverError{Status: resp.StatusCode, Type: env.ErrorType, Msg: env.Error}
	case resp.StatusCode/100 != 2:
		return nil, &serverError{Status: resp.StatusCode, Msg: snippet(body)}
	case jsonErr != nil:
		return nil, &notAPIError{Body: snippet(body), Err: jsonErr}
	case env.Status != "success":
		return nil, &notAPIError{Body: snippet(body), Err: errors.New(`no "status":"success"`)}
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return env.Warnings, &notAPIError{Body: snippet(env.Data), Err: err}
	}
	return env.Warnings, nil
}

// snippet keeps an error message readable when a server answers with a whole HTML page.
func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// queryRange evaluates expr from start to end at step.
func (c *promClient) queryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) (model.Matrix, []string, error) {
	params := url.Values{
		"query": {expr},
		"start": {formatTime(start)},
		"end":   {formatTime(end)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	warnings, err := c.get(ctx, "/api/v1/query_range", params, &data)
	if err != nil {
		return nil, warnings, err
	}
	if data.ResultType != "matrix" {
		return nil, warnings, fmt.Errorf("query_range returned result type %q, want matrix", data.ResultType)
	}
	var m model.Matrix
	if err := json.Unmarshal(data.Result, &m); err != nil {
		return nil, warnings, fmt.Errorf("decode matrix: %w", err)
	}
	return m, warnings, nil
}

// labelNames lists label names, restricted to series matching any of match.
func (c *promClient) labelNames(ctx context.Context, match []string) ([]string, error) {
	var names []string
	_, err := c.get(ctx, "/api/v1/labels", url.Values{"match[]": match}, &names)
	return names, err
}

// labelValues lists the values of label, restricted to series matching any of match.
func (c *promClient) labelValues(ctx context.Context, label string, match []string) ([]string, error) {
	var values []string
	_, err := c.get(ctx, "/api/v1/label/"+url.PathEscape(label)+"/values", url.Values{"match[]": match}, &values)
	return values, err
}

// buildInfo is the part of /api/v1/status/buildinfo shown in the health check.
type buildInfo struct {
	Version  string `json:"version"`
	Revision string `json:"revision"`
}

func (c *promClient) buildInfo(ctx context.Context) (buildInfo, error) {
	var bi buildInfo
	_, err := c.get(ctx, "/api/v1/status/buildinfo", nil, &bi)
	return bi, err
}

func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1e3, 'f', -1, 64)
}
