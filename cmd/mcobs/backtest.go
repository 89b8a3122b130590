package main

import "github.com/spf13/cobra"

// newBacktestCmd groups the offline runs of the same analytics code the collector runs, so a
// figure measured on CSV files holds online.
func newBacktestCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backtest",
		Short: "Run mcobs analytics offline over CSV series (timestamp,value)",
	}
	cmd.AddCommand(
		newBacktestDownsampleCmd(),
		newBacktestAnomalyCmd(),
		newBacktestForecastCmd(),
	// Each analytics package adds its subcommand here.
	)
	return cmd
}
