package tsio

import (
	"io"

	"github.com/schollz/progressbar/v3"
)

// NewProgress returns a progress bar over n items written to w (stderr in the CLI), so long
// backtests show where they are. Tests pass io.Discard.
func NewProgress(w io.Writer, n int, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000),
	)
}
