package actions

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"os/exec"
	"strings"
	"time"
)

// Action result statuses.
const (
	ActionOK      = "ok"
	ActionFailed  = "failed"  // ran and reported failure: non-zero exit, non-2xx answer
	ActionTimeout = "timeout" // killed or abandoned at its timeout
	ActionError   = "error"   // could not run: no such program, connection refused
)

func (r *Runner) runAction(ctx context.Context, a *Action, d *dueStage, st *Stage) *ActionResult {
	res := &ActionResult{
		StageKey: d.Key, Scenario: d.Scenario, Stage: st.Name, Alertname: d.Alertname, StartedAt: r.now().UTC(),
	}
	switch {
	case a.Script != "":
		res.Kind, res.Target = "script", a.Script
		r.runScript(ctx, r.cfg.Scripts[a.Script], d, st, res)
	case a.HTTP != nil:
		res.Kind, res.Target = "http", a.HTTP.Method+" "+a.HTTP.URL
		r.callHTTP(ctx, a.HTTP, d, st, res)
	case a.Email != nil:
		res.Kind, res.Target = "email", strings.Join(a.Email.To, ",")
		r.sendEmail(a.Email, d, st, res)
	}
	res.FinishedAt = r.now().UTC()
	return res
}

// scriptEnv is the base environment, the alert as MCOBS_* variables, then the script's own.
func (r *Runner) scriptEnv(s *Script, d *dueStage, st *Stage) []string {
	env := append([]string(nil), r.env...)
	env = append(env,
		"MCOBS_ALERTNAME="+d.Alertname,
		"MCOBS_FINGERPRINT="+d.esc.Fingerprint,
		"MCOBS_SCENARIO="+d.Scenario,
		"MCOBS_STAGE="+st.Name,
		"MCOBS_STARTS_AT="+d.esc.StartsAt.Format(time.RFC3339),
	)
	for _, k := range sortedKeys(d.esc.Labels) {
		env = append(env, "MCOBS_LABEL_"+envName(k)+"="+d.esc.Labels[k])
	}
	for _, k := range sortedKeys(s.Env) {
		env = append(env, k+"="+s.Env[k])
	}
	return env
}

// runScript execs the registered argv plus label arguments. There is no shell anywhere:
// a label value is one argv element or one environment value, byte for byte.
func (r *Runner) runScript(ctx context.Context, s *Script, d *dueStage, st *Stage, res *ActionResult) {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	argv := append([]string(nil), s.Argv...)
	for _, l := range s.ArgsFromLabels {
		argv = append(argv, d.esc.Labels[l])
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = r.scriptEnv(s, d, st)
	cmd.Dir = "/"
	out := &cappedBuffer{max: s.MaxOutputBytes}
	cmd.Stdout, cmd.Stderr = out, out
	ownProcessGroup(cmd)
	// A child that left the group and holds the output pipe must not keep the stage waiting.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	res.Output, res.Truncated = out.buf.String(), out.truncated
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		res.Status = ActionOK
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		res.Status, res.Error = ActionTimeout, fmt.Sprintf("killed after %s", s.Timeout)
	case ctx.Err() != nil:
		res.Status, res.Error = ActionError, "killed: the runner is stopping"
	case errors.As(err, &ee):
		res.Status, res.Error = ActionFailed, err.Error()
	default:
		res.Status, res.Error = ActionError, err.Error()
	}
}

// httpBody is what an http action posts.
type httpBody struct {
	Scenario    string            `json:"scenario"`
	Stage       string            `json:"stage"`
	Alertname   string            `json:"alertname"`
	Fingerprint string            `json:"fingerprint"`
	StartsAt    time.Time         `json:"startsAt"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

func (r *Runner) callHTTP(ctx context.Context, h *HTTPAction, d *dueStage, st *Stage, res *ActionResult) {
	ctx, cancel := context.WithTimeout(ctx, h.Timeout)
	defer cancel()
	body, _ := json.Marshal(httpBody{
		Scenario: d.Scenario, Stage: st.Name, Alertname: d.Alertname, Fingerprint: d.esc.Fingerprint,
		StartsAt: d.esc.StartsAt, Labels: d.esc.Labels, Annotations: d.esc.Annotations,
	})
	req, err := http.NewRequestWithContext(ctx, h.Method, h.URL, bytes.NewReader(body))
	if err != nil {
		res.Status, res.Error = ActionError, err.Error()
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "mcobs-actions")
	for k, v := range h.Headers {
		req.Header.Set(k, v)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			res.Status, res.Error = ActionTimeout, err.Error()
		} else {
			res.Status, res.Error = ActionError, err.Error()
		}
		return
	}
	defer resp.Body.Close()
	out := &cappedBuffer{max: 4096}
	_, _ = io.Copy(out, resp.Body)
	res.Output, res.Truncated, res.ExitCode = out.buf.String(), out.truncated, resp.StatusCode
	if resp.StatusCode/100 == 2 {
		res.Status = ActionOK
	} else {
		res.Status, res.Error = ActionFailed, resp.Status
	}
}

// headerSafe drops CR and LF so a label value cannot add mail headers.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

func (r *Runner) sendEmail(e *EmailAction, d *dueStage, st *Stage, res *ActionResult) {
	c := r.cfg.SMTP
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\n", headerSafe(c.From))
	fmt.Fprintf(&msg, "To: %s\r\n", headerSafe(strings.Join(e.To, ", ")))
	fmt.Fprintf(&msg, "Subject: %s\r\n", headerSafe(fmt.Sprintf("[mcobs] %s: %s (%s/%s)",
		d.esc.Labels["severity"], d.Alertname, d.Scenario, st.Name)))
	fmt.Fprintf(&msg, "Date: %s\r\n", r.now().UTC().Format(time.RFC1123Z))
	msg.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	fmt.Fprintf(&msg, "Alert %s is firing since %s.\r\n\r\n", d.Alertname, d.esc.StartsAt.Format(time.RFC3339))
	for _, k := range sortedKeys(d.esc.Annotations) {
		fmt.Fprintf(&msg, "%s: %s\r\n", k, d.esc.Annotations[k])
	}
	msg.WriteString("\r\nLabels:\r\n")
	for _, k := range sortedKeys(d.esc.Labels) {
		fmt.Fprintf(&msg, "  %s=%s\r\n", k, headerSafe(d.esc.Labels[k]))
	}
	var auth smtp.Auth
	if c.Username != "" {
		host, _, _ := net.SplitHostPort(c.Addr)
		auth = smtp.PlainAuth("", c.Username, c.password, host)
	}
	if err := sendMail(c.Addr, auth, c.From, e.To, msg.Bytes(), smtpTimeout); err != nil {
		res.Status, res.Error = ActionError, err.Error()
		return
	}
	res.Status = ActionOK
}

const smtpTimeout = 30 * time.Second

// sendMail is smtp.SendMail with a deadline on the whole conversation, so a stuck relay
// cannot hold a stage forever. STARTTLS is used when the relay offers it.
func sendMail(addr string, auth smtp.Auth, from string, to []string, msg []byte, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return fmt.Errorf("dial smtp %q: %w", addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("smtp greeting from %q: %w", addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	for _, t := range to {
		if err := c.Rcpt(t); err != nil {
			return fmt.Errorf("smtp RCPT TO %q: %w", t, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp message: %w", err)
	}
	return c.Quit()
}
