package mcobsalertmanagerexporter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.uber.org/zap"

	"github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter/internal/metadata"
)

// peers posts alerts to every Alertmanager peer.
type peers struct {
	urls    []string
	headers map[string]string
	client  *http.Client
	max     int

	mu   sync.Mutex
	down []bool // per peer: whether the last send failed, to log only changes
}

func newPeers(cfg *Config) *peers {
	urls := make([]string, len(cfg.Endpoints))
	for i, e := range cfg.Endpoints {
		urls[i] = strings.TrimRight(e, "/") + "/api/v2/alerts"
	}
	h := make(map[string]string, len(cfg.Headers))
	for k, v := range cfg.Headers {
		h[k] = string(v)
	}
	return &peers{urls: urls, headers: h, client: &http.Client{}, max: cfg.MaxBatchSize, down: make([]bool, len(urls))}
}

func (p *peers) len() int { return len(p.urls) }

func (p *peers) close() { p.client.CloseIdleConnections() }

// peerResult is the outcome of sending a batch to one peer.
type peerResult struct {
	sent      int // alerts posted
	accepted  bool
	permanent bool // the peer refused the alerts as malformed: sending again cannot help
	err       error
}

// send posts, to each peer concurrently, the alerts still owed to it, in requests of at most
// max_batch_size alerts.
func (p *peers) send(ctx context.Context, batch []outgoing) []peerResult {
	results := make([]peerResult, len(p.urls))
	var wg sync.WaitGroup
	for i := range p.urls {
		var alerts []alert
		for _, o := range batch {
			if o.todo[i] {
				alerts = append(alerts, o.alert)
			}
		}
		if len(alerts) == 0 {
			results[i].accepted = true
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = p.sendTo(ctx, i, alerts)
		}()
	}
	wg.Wait()
	return results
}

func (p *peers) sendTo(ctx context.Context, i int, alerts []alert) peerResult {
	for start := 0; start < len(alerts); start += p.max {
		chunk := alerts[start:min(start+p.max, len(alerts))]
		if r := p.post(ctx, p.urls[i], chunk); r.err != nil {
			r.sent = start
			return r
		}
	}
	return peerResult{sent: len(alerts), accepted: true}
}

func (p *peers) post(ctx context.Context, url string, alerts []alert) peerResult {
	body, err := json.Marshal(alerts)
	if err != nil {
		return peerResult{permanent: true, err: fmt.Errorf("encode alerts: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return peerResult{permanent: true, err: fmt.Errorf("request %q: %w", url, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return peerResult{err: fmt.Errorf("post alerts to %q: %w", url, err)}
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 == 2 {
		return peerResult{}
	}
	err = fmt.Errorf("post alerts to %q: status %d: %s", url, resp.StatusCode, bytes.TrimSpace(msg))
	permanent := resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests
	return peerResult{permanent: permanent, err: err}
}

// report counts and logs the results and returns the error the exporter helper acts on:
// retryable if any peer may accept the alerts later, permanent if the peers refused them.
func (p *peers) report(ctx context.Context, tel *metadata.TelemetryBuilder, logger *zap.Logger, results []peerResult) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var retry, permanent []error
	for i, r := range results {
		if r.sent > 0 && r.accepted {
			tel.ExporterMcobsAlertmanagerAlertsSent.Add(ctx, int64(r.sent))
		}
		if r.err == nil {
			if p.down[i] {
				logger.Info("Alertmanager peer accepts alerts again", zap.String("peer", p.urls[i]))
				p.down[i] = false
			}
			continue
		}
		tel.ExporterMcobsAlertmanagerPeerErrors.Add(ctx, 1)
		if !p.down[i] {
			logger.Warn("Alertmanager peer refuses alerts", zap.String("peer", p.urls[i]), zap.Error(r.err))
			p.down[i] = true
		}
		if r.permanent {
			permanent = append(permanent, r.err)
		} else {
			retry = append(retry, r.err)
		}
	}
	if len(retry) > 0 {
		return errors.Join(append(retry, permanent...)...)
	}
	if len(permanent) > 0 {
		return consumererror.NewPermanent(errors.Join(permanent...))
	}
	return nil
}
