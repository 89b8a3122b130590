// Package alertrules embeds the alert and recording rules and the Alertmanager configuration,
// so `mcobs up` runs the stack from one binary. The files themselves are the source of truth:
// promtool and amtool check them as files in `make test`.
package alertrules

import "embed"

// FS holds every *.rules.yml file, alertmanager.yml and the notification templates it loads
// (templates/*.tmpl).
//
//go:embed *.rules.yml alertmanager.yml templates/*.tmpl
var FS embed.FS
