// Package forecast predicts a metric series to a horizon with 80% and 95% prediction intervals,
// for the Grafana plugin's forecast and capacity-runway queries and for `mcobs backtest
// forecast`. It detects the sampling step and daily or weekly seasonality itself, fits an
// additive exponential smoothing model with a damped trend (ETS(A,Ad,A), or ETS(A,Ad,N) without
// season) whose parameters gonum/optimize chooses by one-step-ahead squared error, and falls
// back to a mean or naive forecast with wide intervals when the history is too short. The
// model used, and why, is reported with every forecast. README.md explains the choices.
package forecast
