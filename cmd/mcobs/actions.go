package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcobs/mcobs/internal/actions"
)

const defaultActionsDB = ".mcobs/actions.db"

func newActionsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "actions",
		Short: "The action runner: receive Alertmanager webhooks, escalate through scenarios, keep the history",
		Long: `actions serve receives Alertmanager webhooks (POST /api/v1/alerts, bearer token or basic auth),
matches each alert against the scenarios file and runs their stages while the alert keeps firing.
Every alert, stage and action is kept in SQLite; actions history prints it. The scenarios file is
documented in internal/actions/README.md.`,
	}
	cmd.AddCommand(newActionsServeCmd(), newActionsHistoryCmd(), newActionsCheckCmd())
	return cmd
}

func newActionsServeCmd() *cobra.Command {
	var (
		listen, configPath, dbPath, tokenFile, basicUser string
		poll, retention                                  time.Duration
		maxBody                                          int64
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the webhook, the history API (GET /api/v1/history) and the history page (GET /)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			cfg, err := actions.LoadConfig(configPath)
			if err != nil {
				return err
			}
			if err := cfg.CheckScripts(); err != nil {
				return fmt.Errorf("scenarios %q: %w", configPath, err)
			}
			tok, err := os.ReadFile(tokenFile)
			if err != nil {
				return fmt.Errorf("read --token-file %q: %w", tokenFile, err)
			}
			token := strings.TrimSpace(string(tok))
			if token == "" {
				return fmt.Errorf("--token-file %q is empty", tokenFile)
			}
			if err := os.MkdirAll(filepath.Dir(dbPath), 0o755); err != nil {
				return fmt.Errorf("create directory for --db %q: %w", dbPath, err)
			}
			store, err := actions.OpenStore(dbPath, false)
			if err != nil {
				return err
			}
			defer func() { err = errors.Join(err, store.Close()) }()
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			if len(cfg.Scenarios) == 0 {
				log.Warn("no scenarios: alerts are recorded, nothing runs", slog.String("config", configPath))
			}
			runner, err := actions.NewRunner(cmd.Context(), cfg, store, actions.Options{Logger: log, Retention: retention})
			if err != nil {
				return err
			}
			srv, err := actions.NewServer(runner, actions.ServerOptions{Token: token, BasicUser: basicUser, MaxBodyBytes: maxBody})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("listen on %q: %w", listen, err)
			}
			return srv.Serve(cmd.Context(), ln, poll)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:9095", "address of the webhook, history API and page")
	f.StringVar(&configPath, "config", "scenarios.yml", "scenarios YAML file")
	f.StringVar(&dbPath, "db", defaultActionsDB, "SQLite history database (created if missing)")
	f.StringVar(&tokenFile, "token-file", "", "file holding the webhook token (bearer, or the basic auth password)")
	f.StringVar(&basicUser, "basic-user", "", "if set, the only username basic auth accepts")
	f.DurationVar(&poll, "poll", time.Second, "how often pending stages are checked")
	f.DurationVar(&retention, "retention", 90*24*time.Hour, "how long history is kept (0 keeps it forever); pending stages are never pruned")
	f.Int64Var(&maxBody, "max-body-bytes", actions.DefaultMaxBodyBytes, "largest webhook body accepted")
	_ = cmd.MarkFlagRequired("token-file")
	return cmd
}

func newActionsCheckCmd() *cobra.Command {
	var configPath string
	var scriptsToo bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate a scenarios file (every problem at once) and, with --scripts, that its programs are executable",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := actions.LoadConfig(configPath)
			if err != nil {
				return err
			}
			if scriptsToo {
				if err := cfg.CheckScripts(); err != nil {
					return fmt.Errorf("scenarios %q: %w", configPath, err)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d scenario(s), %d script(s): ok\n", configPath, len(cfg.Scenarios), len(cfg.Scripts))
			return nil
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "scenarios.yml", "scenarios YAML file")
	cmd.Flags().BoolVar(&scriptsToo, "scripts", false, "also check that every registered program exists and is executable (as serve does)")
	return cmd
}

func newActionsHistoryCmd() *cobra.Command {
	var (
		dbPath, alertname, status string
		limit                     int
		asJSON                    bool
	)
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Print received alerts, escalation stages and action results, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			if _, err := os.Stat(dbPath); err != nil {
				return fmt.Errorf("history database --db %q: %w", dbPath, err)
			}
			if limit <= 0 {
				return errors.New("--limit must be positive")
			}
			store, err := actions.OpenStore(dbPath, true)
			if err != nil {
				return err
			}
			defer func() { err = errors.Join(err, store.Close()) }()
			h, err := store.History(cmd.Context(), actions.Query{Alertname: alertname, Status: status, Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(h)
			}
			return printHistory(cmd, h)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dbPath, "db", defaultActionsDB, "SQLite history database")
	f.IntVar(&limit, "limit", 20, "rows per table")
	f.StringVar(&alertname, "alertname", "", "only this alert")
	f.StringVar(&status, "status", "", "only rows with this status (firing, resolved, rejected; pending, done, cancelled; ok, failed, timeout, error)")
	f.BoolVar(&asJSON, "json", false, "print JSON (as GET /api/v1/history)")
	return cmd
}

func printHistory(cmd *cobra.Command, h *actions.History) error {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	tf := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	fmt.Fprintln(w, "EVENTS\nRECEIVED\tALERTNAME\tSTATUS\tSEVERITY\tSCENARIO\tOUTCOME\tDETAIL")
	for _, e := range h.Events {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", tf(e.ReceivedAt), e.Alertname, e.Status, e.Severity, e.Scenario, e.Outcome, e.Detail)
	}
	fmt.Fprintln(w, "\nSTAGES\nDUE\tALERTNAME\tSCENARIO\tSTAGE\tSTATE\tFINISHED\tDETAIL")
	for _, s := range h.Stages {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d %s\t%s\t%s\t%s\n", tf(s.DueAt), s.Alertname, s.Scenario, s.Index, s.Name, s.State, tf(s.FinishedAt), s.Detail)
	}
	fmt.Fprintln(w, "\nACTIONS\nFINISHED\tALERTNAME\tSCENARIO/STAGE\tACTION\tSTATUS\tCODE\tERROR")
	for _, a := range h.Actions {
		fmt.Fprintf(w, "%s\t%s\t%s/%s\t%s %s\t%s\t%d\t%s\n", tf(a.FinishedAt), a.Alertname, a.Scenario, a.Stage, a.Kind, a.Target, a.Status, a.ExitCode, a.Error)
	}
	return w.Flush()
}
