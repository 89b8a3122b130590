// Command mcobs is the mcobs command line: it runs the local stack (`mcobs up`), the cloud API
// simulator, the offline backtests and the action runner. One binary with subcommands, in the
// manner of promtool and thanos.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "mcobs:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "mcobs",
		Short:         "mcobs: multi-cloud observability on the OpenTelemetry Collector",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newUpCmd(),
		newBacktestCmd(),
		newSimCmd(),
		newActionsCmd(),
	)
	return root
}

// exitError carries a specific exit code out of a subcommand without calling os.Exit there.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }
