import { validateDuration } from './durations';

describe('validateDuration', () => {
  const ok = (v: string | undefined) => expect(validateDuration(v)).toBeUndefined();
  const bad = (v: string) => expect(validateDuration(v)).toMatch(/is not a positive duration/);

  it('accepts Prometheus durations, empty values and dashboard variables', () => {
    ok(undefined); // unset: the backend's default
    ok('');
    ok('5m');
    ok('7d');
    ok('1w2d');
    ok('1h30m');
    ok('250ms');
    ok('1y');
    ok('$horizon');
    ok('${step}');
    ok('$__interval');
    ok('[[history]]');
  });

  it('rejects what model.ParseDuration rejects, and zero', () => {
    bad('7');
    bad('7x');
    bad('d');
    bad('1.5h'); // no fractions in Prometheus durations
    bad('30m1h'); // units out of order
    bad('5m5m');
    bad('-5m');
    bad('0s');
    bad('0d0h');
    bad('7 d');
  });

  it('quotes the bad value in the message', () => {
    expect(validateDuration(' 7x ')).toContain('"7x"');
  });
});
