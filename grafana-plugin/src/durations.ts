/**
 * Prometheus' duration syntax (units in descending order, each at most once), the syntax the
 * backend parses with model.ParseDuration. Checking it here shows the mistake under the field
 * instead of as a failed panel.
 */
const PROM_DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

/** A dashboard variable ($step, ${step}, [[step]]) is checked after interpolation, by the backend. */
const TEMPLATE_VARIABLE = /\$\w+|\$\{[^}]+\}|\[\[[^\]]+\]\]/;

/**
 * validateDuration returns a message for a bad duration, or undefined when the value is a
 * positive Prometheus duration, empty (the backend's default) or a dashboard variable.
 */
export function validateDuration(value: string | undefined): string | undefined {
  const v = (value ?? '').trim();
  if (v === '' || TEMPLATE_VARIABLE.test(v)) {
    return undefined;
  }
  if (!PROM_DURATION.test(v) || !/[1-9]/.test(v)) {
    return `"${v}" is not a positive duration: use a number and unit such as 30s, 5m, 12h, 7d or 1w2d`;
  }
  return undefined;
}
