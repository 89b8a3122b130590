import { filterMetrics, insertMetric, MAX_OPTIONS } from './exprEdit';

describe('insertMetric', () => {
  it('uses the metric as the whole expression when there is none', () => {
    expect(insertMetric('', 'up', undefined)).toBe('up');
    expect(insertMetric('  ', 'up', 1)).toBe('up');
  });

  it('inserts at the caret', () => {
    expect(insertMetric('rate([5m])', 'http_requests_total', 5)).toBe('rate(http_requests_total[5m])');
  });

  it('appends when the caret is unknown or out of range', () => {
    expect(insertMetric('sum(', 'up', undefined)).toBe('sum(up');
    expect(insertMetric('sum(', 'up', 99)).toBe('sum(up');
  });
});

describe('filterMetrics', () => {
  it('matches case-insensitively anywhere in the name', () => {
    expect(filterMetrics(['system_cpu_utilization_ratio', 'up', 'system_memory_usage_bytes'], 'CPU')).toEqual([
      'system_cpu_utilization_ratio',
    ]);
  });

  it('caps the list', () => {
    const names = Array.from({ length: MAX_OPTIONS + 10 }, (_, i) => `m_${i}`);
    expect(filterMetrics(names, '')).toHaveLength(MAX_OPTIONS);
    expect(filterMetrics(names, 'm_1')[0]).toBe('m_1');
  });
});
