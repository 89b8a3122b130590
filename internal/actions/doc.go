// Package actions is the mcobs action runner: an HTTP service that receives Alertmanager webhooks
// (payload version 4), matches each alert against ordered scenarios and escalates through their
// stages while the alert keeps firing, running registered scripts (never through a shell),
// calling HTTP endpoints and sending email. Every received alert, stage and action result is
// kept in SQLite so a restart resumes pending escalations without running a stage twice, and
// the history is served as JSON and as a small read-only web page.
package actions
