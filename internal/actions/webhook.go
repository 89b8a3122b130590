package actions

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Message is Alertmanager's webhook payload, version 4.
type Message struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []Alert           `json:"alerts"`
}

// Alert is one alert of a webhook payload.
type Alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// validate checks what the runner relies on; the first problem of each alert is reported.
func (m *Message) validate() error {
	if m.Version != "4" {
		return fmt.Errorf("`version` must be \"4\" (Alertmanager webhook), got %q", m.Version)
	}
	var errs []error
	for i, a := range m.Alerts {
		switch {
		case a.Status != "firing" && a.Status != "resolved":
			errs = append(errs, fmt.Errorf("`alerts[%d].status` must be firing or resolved, got %q", i, a.Status))
		case a.Labels["alertname"] == "":
			errs = append(errs, fmt.Errorf("`alerts[%d].labels.alertname` must be set, got %q", i, ""))
		case a.StartsAt.IsZero():
			errs = append(errs, fmt.Errorf("`alerts[%d].startsAt` must be set, got %q", i, ""))
		}
	}
	return errors.Join(errs...)
}

func (a *Alert) fingerprint() string {
	if a.Fingerprint != "" {
		return a.Fingerprint
	}
	ls := make(model.LabelSet, len(a.Labels))
	for k, v := range a.Labels {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls.Fingerprint().String()
}

func labelSet(m map[string]string) model.LabelSet {
	ls := make(model.LabelSet, len(m))
	for k, v := range m {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls
}

// Event outcomes.
const (
	OutcomeScheduled = "scheduled" // a new escalation with its stages
	OutcomeDuplicate = "duplicate" // a repeat notification of an escalation already scheduled
	OutcomeResolved  = "resolved"  // pending stages of the alert were cancelled
	OutcomeUnmatched = "unmatched" // no scenario matches: recorded, nothing runs
	OutcomeRejected  = "rejected"  // the request was refused with a 4xx
)

// ingest records every alert of a valid message and schedules or cancels stages, in one
// transaction so a crash never leaves an event without its stages.
func (r *Runner) ingest(ctx context.Context, m *Message, remote string) (int, error) {
	now := r.now().UTC()
	tx, err := r.store.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin webhook transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	scheduled := 0
	for i := range m.Alerts {
		a := &m.Alerts[i]
		ev := Event{
			ReceivedAt: now, Remote: remote, Status: a.Status, HTTPStatus: 200,
			Alertname: a.Labels["alertname"], Fingerprint: a.fingerprint(), Severity: a.Labels["severity"],
			Labels: a.Labels,
		}
		sc := r.cfg.Match(labelSet(a.Labels))
		switch {
		case sc == nil:
			ev.Outcome, ev.Detail = OutcomeUnmatched, "no scenario matches the labels"
			if a.Status == "resolved" {
				n, err := cancelFingerprint(ctx, tx, ev.Fingerprint, now)
				if err != nil {
					return 0, err
				}
				if n > 0 {
					ev.Outcome, ev.Detail = OutcomeResolved, fmt.Sprintf("cancelled %d pending stage(s)", n)
				}
			}
		case a.Status == "resolved":
			ev.Scenario = sc.Name
			n, err := cancelFingerprint(ctx, tx, ev.Fingerprint, now)
			if err != nil {
				return 0, err
			}
			ev.Outcome, ev.Detail = OutcomeResolved, fmt.Sprintf("cancelled %d pending stage(s)", n)
		default:
			ev.Scenario = sc.Name
			created, err := schedule(ctx, tx, sc, a, ev.Fingerprint, now)
			if err != nil {
				return 0, err
			}
			if created {
				scheduled++
				ev.Outcome, ev.Detail = OutcomeScheduled, fmt.Sprintf("%d stage(s)", len(sc.Stages))
			} else {
				ev.Outcome, ev.Detail = OutcomeDuplicate, "escalation already scheduled"
			}
		}
		if err := insertEvent(ctx, tx, &ev); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit webhook transaction: %w", err)
	}
	return scheduled, nil
}

// escalationKey is unique per scenario, alert and firing episode: Alertmanager repeats a
// firing notification with the same startsAt, which must not start a second escalation.
func escalationKey(scenario, fingerprint string, startsAt time.Time) string {
	return scenario + "/" + fingerprint + "/" + startsAt.UTC().Format(time.RFC3339Nano)
}

func schedule(ctx context.Context, tx *sql.Tx, sc *Scenario, a *Alert, fp string, now time.Time) (bool, error) {
	key := escalationKey(sc.Name, fp, a.StartsAt)
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO escalations
		(key, scenario, fingerprint, alertname, labels, annotations, starts_at, status, created_at)
		VALUES (?,?,?,?,?,?,?,?,?)`,
		key, sc.Name, fp, a.Labels["alertname"], mustJSON(a.Labels), mustJSON(a.Annotations), ts(a.StartsAt), "firing", ts(now))
	if err != nil {
		return false, fmt.Errorf("record escalation %q: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	// Delays count from when the runner first heard of the alert, not from startsAt: an
	// alert that reaches the runner late (after `for` and group_wait) still gets its first
	// stage at once and the later ones their full delay after it.
	for i, st := range sc.Stages {
		_, err := tx.ExecContext(ctx, `INSERT INTO stages (key, escalation, idx, name, scenario, alertname, due_at, state)
			VALUES (?,?,?,?,?,?,?,?)`,
			fmt.Sprintf("%s#%d", key, i), key, i, st.Name, sc.Name, a.Labels["alertname"], ts(now.Add(st.Delay)), StatePending)
		if err != nil {
			return false, fmt.Errorf("schedule stage %d of %q: %w", i, key, err)
		}
	}
	return true, nil
}

func cancelFingerprint(ctx context.Context, tx *sql.Tx, fp string, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE stages SET state = ?, finished_at = ?, detail = 'alert resolved'
		WHERE state = ? AND escalation IN (SELECT key FROM escalations WHERE fingerprint = ? AND status = 'firing')`,
		StateCancelled, ts(now), StatePending, fp)
	if err != nil {
		return 0, fmt.Errorf("cancel stages of %q: %w", fp, err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `UPDATE escalations SET status = 'resolved', resolved_at = ?
		WHERE fingerprint = ? AND status = 'firing'`, ts(now), fp); err != nil {
		return 0, fmt.Errorf("resolve escalations of %q: %w", fp, err)
	}
	return n, nil
}

// envName turns a label name into the suffix of its MCOBS_LABEL_ variable.
func envName(label string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(label) {
		if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func decodeMessage(b []byte) (*Message, error) {
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode webhook JSON: %w", err)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return &m, nil
}
