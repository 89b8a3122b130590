/**
 * insertMetric puts a picked metric name into an expression: it becomes the whole expression
 * when there is none yet, else it goes in at the caret so that picking a name while writing
 * rate(|[5m]) completes the function call instead of wiping it.
 */
export function insertMetric(expr: string, metric: string, caret: number | undefined): string {
  if (expr.trim() === '') {
    return metric;
  }
  const at = caret === undefined || caret < 0 || caret > expr.length ? expr.length : caret;
  return expr.slice(0, at) + metric + expr.slice(at);
}

/** MAX_OPTIONS bounds the picker's list: a large Prometheus has tens of thousands of names. */
export const MAX_OPTIONS = 500;

/** filterMetrics returns the names containing the typed text (case-insensitive), capped. */
export function filterMetrics(names: string[], typed: string): string[] {
  const t = typed.trim().toLowerCase();
  const hits = t === '' ? names : names.filter((n) => n.toLowerCase().includes(t));
  return hits.slice(0, MAX_OPTIONS);
}
