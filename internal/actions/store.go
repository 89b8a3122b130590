package actions

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"
)

// Stage states. A stage moves pending → running → done, or pending → cancelled when its alert
// resolves. A stage found running at start was interrupted by a crash: it is marked
// interrupted and not run again, because running a remediation twice is worse than once.
const (
	StatePending     = "pending"
	StateRunning     = "running"
	StateDone        = "done"
	StateCancelled   = "cancelled"
	StateInterrupted = "interrupted"
	StateError       = "error"
)

const schema = `
CREATE TABLE IF NOT EXISTS events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	received_at INTEGER NOT NULL,
	remote      TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	http_status INTEGER NOT NULL,
	alertname   TEXT NOT NULL DEFAULT '',
	fingerprint TEXT NOT NULL DEFAULT '',
	severity    TEXT NOT NULL DEFAULT '',
	scenario    TEXT NOT NULL DEFAULT '',
	labels      TEXT NOT NULL DEFAULT '{}',
	detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_alertname ON events(alertname, id);
CREATE INDEX IF NOT EXISTS events_outcome ON events(outcome, id);
CREATE TABLE IF NOT EXISTS escalations (
	key         TEXT PRIMARY KEY,
	scenario    TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	alertname   TEXT NOT NULL,
	labels      TEXT NOT NULL,
	annotations TEXT NOT NULL,
	starts_at   INTEGER NOT NULL,
	status      TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	resolved_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS escalations_fp ON escalations(fingerprint, status);
CREATE TABLE IF NOT EXISTS stages (
	key         TEXT PRIMARY KEY,
	escalation  TEXT NOT NULL,
	idx         INTEGER NOT NULL,
	name        TEXT NOT NULL,
	scenario    TEXT NOT NULL,
	alertname   TEXT NOT NULL,
	due_at      INTEGER NOT NULL,
	state       TEXT NOT NULL,
	started_at  INTEGER NOT NULL DEFAULT 0,
	finished_at INTEGER NOT NULL DEFAULT 0,
	detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS stages_due ON stages(state, due_at);
CREATE INDEX IF NOT EXISTS stages_escalation ON stages(escalation, idx);
CREATE TABLE IF NOT EXISTS actions (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	stage_key   TEXT NOT NULL,
	scenario    TEXT NOT NULL,
	stage       TEXT NOT NULL,
	alertname   TEXT NOT NULL,
	idx         INTEGER NOT NULL,
	kind        TEXT NOT NULL,
	target      TEXT NOT NULL,
	status      TEXT NOT NULL,
	exit_code   INTEGER NOT NULL DEFAULT 0,
	output      TEXT NOT NULL DEFAULT '',
	truncated   INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	started_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_alertname ON actions(alertname, id);
`

// Store is the history database.
type Store struct {
	db *sql.DB
}

// OpenStore opens (creating if needed) the SQLite history at path. readOnly opens it for
// `mcobs actions history` without creating or migrating anything.
func OpenStore(path string, readOnly bool) (*Store, error) {
	// SQLite URI filenames treat ?, # and % specially; escape them so any path works.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	dsn := "file:" + esc + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	if readOnly {
		dsn += "&mode=ro"
	} else {
		dsn += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open history %q: %w", path, err)
	}
	// One connection serialises writers, so SQLITE_BUSY never reaches a request.
	db.SetMaxOpenConns(1)
	if !readOnly {
		if _, err := db.Exec(schema); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("create history schema in %q: %w", path, err)
		}
	} else if err := db.Ping(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open history %q: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Event is one received alert, or one rejected request.
type Event struct {
	ID          int64             `json:"id"`
	ReceivedAt  time.Time         `json:"received_at"`
	Remote      string            `json:"remote,omitempty"`
	Status      string            `json:"status"`
	Outcome     string            `json:"outcome"`
	HTTPStatus  int               `json:"http_status"`
	Alertname   string            `json:"alertname,omitempty"`
	Fingerprint string            `json:"fingerprint,omitempty"`
	Severity    string            `json:"severity,omitempty"`
	Scenario    string            `json:"scenario,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Detail      string            `json:"detail,omitempty"`
}

// StageRun is one scheduled stage of an escalation.
type StageRun struct {
	Key        string    `json:"key"`
	Escalation string    `json:"escalation"`
	Index      int       `json:"index"`
	Name       string    `json:"name"`
	Scenario   string    `json:"scenario"`
	Alertname  string    `json:"alertname"`
	DueAt      time.Time `json:"due_at"`
	State      string    `json:"state"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	Detail     string    `json:"detail,omitempty"`
}

// ActionResult is the outcome of one action of one stage.
type ActionResult struct {
	ID         int64     `json:"id"`
	StageKey   string    `json:"stage_key"`
	Scenario   string    `json:"scenario"`
	Stage      string    `json:"stage"`
	Alertname  string    `json:"alertname"`
	Index      int       `json:"index"`
	Kind       string    `json:"kind"`
	Target     string    `json:"target"`
	Status     string    `json:"status"`
	ExitCode   int       `json:"exit_code"`
	Output     string    `json:"output,omitempty"`
	Truncated  bool      `json:"truncated,omitempty"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

// History is what the query API, the CLI and the page show.
type History struct {
	Events  []Event        `json:"events"`
	Stages  []StageRun     `json:"stages"`
	Actions []ActionResult `json:"actions"`
}

// Query filters the history; empty fields match everything. Status matches an event's
// status (firing, resolved, rejected), a stage's state or an action's status (ok, failed,
// timeout, error), whichever the row is.
type Query struct {
	Alertname string
	Status    string
	Limit     int
}

func ts(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromTS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func insertEvent(ctx context.Context, x execer, e *Event) error {
	_, err := x.ExecContext(ctx, `INSERT INTO events
		(received_at, remote, status, outcome, http_status, alertname, fingerprint, severity, scenario, labels, detail)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		ts(e.ReceivedAt), e.Remote, e.Status, e.Outcome, e.HTTPStatus, e.Alertname, e.Fingerprint,
		e.Severity, e.Scenario, mustJSON(e.Labels), e.Detail)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// RecordEvent stores an event outside a webhook transaction (rejections).
func (s *Store) RecordEvent(ctx context.Context, e *Event) error { return insertEvent(ctx, s.db, e) }

// recordRejected stores a rejected request's event and deletes the oldest rejected events
// beyond keep, in one transaction, so refused requests cannot grow the history without bound.
func (s *Store) recordRejected(ctx context.Context, e *Event, keep int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin recording a rejection: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := insertEvent(ctx, tx, e); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE outcome = ? AND id <= (
		SELECT id FROM events WHERE outcome = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
		OutcomeRejected, OutcomeRejected, keep); err != nil {
		return fmt.Errorf("trim rejected events to %d: %w", keep, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit recording a rejection: %w", err)
	}
	return nil
}

// History returns the newest rows first.
func (s *Store) History(ctx context.Context, q Query) (*History, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	where := func(statusCol string) (string, []any) {
		var conds []string
		var args []any
		if q.Alertname != "" {
			conds = append(conds, "alertname = ?")
			args = append(args, q.Alertname)
		}
		if q.Status != "" {
			conds = append(conds, statusCol+" = ?")
			args = append(args, q.Status)
		}
		if len(conds) == 0 {
			return "", nil
		}
		return " WHERE " + strings.Join(conds, " AND "), args
	}
	h := &History{Events: []Event{}, Stages: []StageRun{}, Actions: []ActionResult{}}

	w, args := where("status")
	rows, err := s.db.QueryContext(ctx, `SELECT id, received_at, remote, status, outcome, http_status,
		alertname, fingerprint, severity, scenario, labels, detail FROM events`+w+` ORDER BY id DESC LIMIT ?`,
		append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	for rows.Next() {
		var e Event
		var at int64
		var ls string
		if err := rows.Scan(&e.ID, &at, &e.Remote, &e.Status, &e.Outcome, &e.HTTPStatus, &e.Alertname,
			&e.Fingerprint, &e.Severity, &e.Scenario, &ls, &e.Detail); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("read events: %w", err)
		}
		e.ReceivedAt = fromTS(at)
		e.Labels = parseLabels(ls)
		h.Events = append(h.Events, e)
	}
	_ = rows.Close()

	w, args = where("state")
	srows, err := s.db.QueryContext(ctx, `SELECT key, escalation, idx, name, scenario, alertname, due_at, state,
		started_at, finished_at, detail FROM stages`+w+` ORDER BY due_at DESC, idx DESC LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("query stages: %w", err)
	}
	for srows.Next() {
		var r StageRun
		var due, st, fin int64
		if err := srows.Scan(&r.Key, &r.Escalation, &r.Index, &r.Name, &r.Scenario, &r.Alertname, &due, &r.State,
			&st, &fin, &r.Detail); err != nil {
			_ = srows.Close()
			return nil, fmt.Errorf("read stages: %w", err)
		}
		r.DueAt, r.StartedAt, r.FinishedAt = fromTS(due), fromTS(st), fromTS(fin)
		h.Stages = append(h.Stages, r)
	}
	_ = srows.Close()

	w, args = where("status")
	arows, err := s.db.QueryContext(ctx, `SELECT id, stage_key, scenario, stage, alertname, idx, kind, target, status,
		exit_code, output, truncated, error, started_at, finished_at FROM actions`+w+` ORDER BY id DESC LIMIT ?`,
		append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("query actions: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var a ActionResult
		var st, fin int64
		if err := arows.Scan(&a.ID, &a.StageKey, &a.Scenario, &a.Stage, &a.Alertname, &a.Index, &a.Kind, &a.Target,
			&a.Status, &a.ExitCode, &a.Output, &a.Truncated, &a.Error, &st, &fin); err != nil {
			return nil, fmt.Errorf("read actions: %w", err)
		}
		a.StartedAt, a.FinishedAt = fromTS(st), fromTS(fin)
		h.Actions = append(h.Actions, a)
	}
	if err := arows.Err(); err != nil {
		return nil, fmt.Errorf("read actions: %w", err)
	}
	return h, nil
}

// escalation is the stored state a due stage needs to run.
type escalation struct {
	Key         string
	Scenario    string
	Fingerprint string
	Alertname   string
	Labels      map[string]string
	Annotations map[string]string
	StartsAt    time.Time
	Status      string
}

// dueStage is a pending stage whose time has come.
type dueStage struct {
	StageRun
	esc escalation
}

// recoverInterrupted marks stages left running by a crash as interrupted, so they are not run
// again, and returns how many there were.
func (s *Store) recoverInterrupted(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE stages SET state = ?, finished_at = ?,
		detail = 'runner stopped while the stage ran; not run again' WHERE state = ?`,
		StateInterrupted, ts(now), StateRunning)
	if err != nil {
		return 0, fmt.Errorf("recover interrupted stages: %w", err)
	}
	return res.RowsAffected()
}

// due lists pending stages due at now, oldest first, with their escalation, leaving out those
// behind a stage of the same escalation that is still running, so stages never overtake.
func (s *Store) due(ctx context.Context, now time.Time) ([]dueStage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.key, s.escalation, s.idx, s.name, s.scenario, s.alertname, s.due_at,
		e.fingerprint, e.labels, e.annotations, e.starts_at, e.status
		FROM stages s JOIN escalations e ON e.key = s.escalation
		WHERE s.state = ? AND s.due_at <= ?
		AND NOT EXISTS (SELECT 1 FROM stages p WHERE p.escalation = s.escalation AND p.idx < s.idx AND p.state = ?)
		ORDER BY s.due_at, s.escalation, s.idx`, StatePending, ts(now), StateRunning)
	if err != nil {
		return nil, fmt.Errorf("query due stages: %w", err)
	}
	defer rows.Close()
	var out []dueStage
	for rows.Next() {
		var d dueStage
		var due, starts int64
		var ls, as string
		if err := rows.Scan(&d.Key, &d.Escalation, &d.Index, &d.Name, &d.Scenario, &d.Alertname, &due,
			&d.esc.Fingerprint, &ls, &as, &starts, &d.esc.Status); err != nil {
			return nil, fmt.Errorf("read due stages: %w", err)
		}
		d.DueAt, d.State = fromTS(due), StatePending
		d.esc.Key, d.esc.Scenario, d.esc.Alertname = d.Escalation, d.Scenario, d.Alertname
		d.esc.Labels, d.esc.Annotations, d.esc.StartsAt = parseLabels(ls), parseLabels(as), fromTS(starts)
		out = append(out, d)
	}
	return out, rows.Err()
}

// claim moves a stage from pending to running; false means another run or a resolve got there
// first. Recording the claim before running is what makes a stage run at most once.
func (s *Store) claim(ctx context.Context, key string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE stages SET state = ?, started_at = ? WHERE key = ? AND state = ?`,
		StateRunning, ts(now), key, StatePending)
	if err != nil {
		return false, fmt.Errorf("claim stage %q: %w", key, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Store) finishStage(ctx context.Context, key, state, detail string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE stages SET state = ?, finished_at = ?, detail = ? WHERE key = ?`,
		state, ts(now), detail, key)
	if err != nil {
		return fmt.Errorf("finish stage %q: %w", key, err)
	}
	return nil
}

func (s *Store) recordAction(ctx context.Context, a *ActionResult) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO actions (stage_key, scenario, stage, alertname, idx, kind, target,
		status, exit_code, output, truncated, error, started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.StageKey, a.Scenario, a.Stage, a.Alertname, a.Index, a.Kind, a.Target, a.Status, a.ExitCode, a.Output,
		a.Truncated, a.Error, ts(a.StartedAt), ts(a.FinishedAt))
	if err != nil {
		return fmt.Errorf("record action of stage %q: %w", a.StageKey, err)
	}
	return nil
}

// Prune deletes history older than before: events received, actions finished, and stages
// finished (never a pending or running one) before it, and escalations left without stages.
// It returns how many rows went.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin prune: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var total int64
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM events WHERE received_at < ?`, []any{ts(before)}},
		{`DELETE FROM actions WHERE finished_at < ?`, []any{ts(before)}},
		{`DELETE FROM stages WHERE state NOT IN (?, ?) AND finished_at < ?`, []any{StatePending, StateRunning, ts(before)}},
		{`DELETE FROM escalations WHERE NOT EXISTS (SELECT 1 FROM stages WHERE stages.escalation = escalations.key)`, nil},
	} {
		res, err := tx.ExecContext(ctx, q.sql, q.args...)
		if err != nil {
			return 0, fmt.Errorf("prune history: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit prune: %w", err)
	}
	return total, nil
}
