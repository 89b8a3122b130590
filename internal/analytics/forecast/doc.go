// Package forecast predicts a metric series to a horizon with 80% and 95% prediction intervals,
// for the Grafana plugin's forecast and capacity-runway queries and for `mcobs backtest
// forecast`. It detects the sampling step and daily or weekly seasonality itself, and chooses
// among additive exponential smoothing models (damped trend, one season or a daily and a weekly
// one at once), the seasonal naive forecast and the seasonal median, or the mean of the best
// two or three, by their forecasts of the last part of the history from rolling origins, with
// parameters fitted before it. The intervals are the empirical quantiles of the chosen
// forecast's own errors from rolling origins by horizon. Short histories fall back to a mean or
// naive forecast with wide intervals. The model used, and why, is reported with every forecast.
// README.md explains the choices.
package forecast
