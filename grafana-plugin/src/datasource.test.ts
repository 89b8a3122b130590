import { DataSourceInstanceSettings, ScopedVars } from '@grafana/data';

import { DataSource, formatPromValue } from './datasource';
import { InsightsOptions, InsightsQuery } from './types';

/**
 * A template service that behaves like Grafana's for $name and ${name}: it looks the variable
 * up and hands its value (an array for a multi-value variable) to the format function.
 */
const variables: Record<string, string | string[]> = {
  host: ['web-1', 'web.2'],
  provider: 'aws',
  horizon: '14d',
  step: '10m',
};
const templateSrv = {
  replace: jest.fn((target: string | undefined, _vars?: ScopedVars, format?: Function) =>
    (target ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a, b) => {
      const v = variables[a ?? b];
      if (v === undefined) {
        return m;
      }
      return format ? format(v) : Array.isArray(v) ? v.join(',') : v;
    })
  ),
};

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => templateSrv,
}));

function datasource() {
  return new DataSource({
    id: 1,
    uid: 'mcobs-insights',
    type: 'mcobs-insights-datasource',
    name: 'mcobs Insights',
    jsonData: {},
    meta: { id: 'mcobs-insights-datasource' },
  } as unknown as DataSourceInstanceSettings<InsightsOptions>);
}

describe('formatPromValue', () => {
  it('turns a multi-value variable into an escaped regex alternation', () => {
    expect(formatPromValue(['web-1', 'web.2'])).toBe('(web-1|web\\.2)');
  });
  it('inserts a single value unchanged', () => {
    expect(formatPromValue('a.b')).toBe('a.b');
    expect(formatPromValue(['a.b'])).toBe('a\\.b');
  });
});

describe('applyTemplateVariables', () => {
  it('interpolates the expression, durations and runway resources', () => {
    const q: InsightsQuery = {
      refId: 'A',
      queryType: 'runway',
      expr: 'system_cpu_utilization_ratio{host_name=~"$host",cloud_provider="${provider}"}',
      horizon: '$horizon',
      history: '28d',
      step: '$step',
      legendFormat: '{{host_name}}',
      resources: [{ name: 'disk', expr: 'disk_ratio{host_name=~"$host"}', threshold: 0.8 }],
    };
    const out = datasource().applyTemplateVariables(q, {});
    expect(out).toEqual({
      refId: 'A',
      queryType: 'runway',
      expr: 'system_cpu_utilization_ratio{host_name=~"(web-1|web\\.2)",cloud_provider="aws"}',
      horizon: '14d',
      history: '28d',
      step: '10m',
      legendFormat: '{{host_name}}',
      resources: [{ name: 'disk', expr: 'disk_ratio{host_name=~"(web-1|web\\.2)"}', threshold: 0.8 }],
    });
  });

  it('leaves unset fields unset', () => {
    const out = datasource().applyTemplateVariables({ refId: 'B', expr: 'up' }, {});
    expect(out.horizon).toBeUndefined();
    expect(out.resources).toBeUndefined();
    expect(out.expr).toBe('up');
  });
});

describe('filterQuery', () => {
  const ds = datasource();
  it('skips forecast and anomaly queries without an expression', () => {
    expect(ds.filterQuery({ refId: 'A', queryType: 'forecast', expr: '' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'anomalies', expr: '  ' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'forecast', expr: 'up' })).toBe(true);
  });
  it('runs a runway query without resources (the backend defaults) but not one with an empty resource', () => {
    expect(ds.filterQuery({ refId: 'A', queryType: 'runway' })).toBe(true);
    expect(
      ds.filterQuery({ refId: 'A', queryType: 'runway', resources: [{ name: 'gpu', expr: '', threshold: 0.9 }] })
    ).toBe(false);
  });
  it('runs a runway resource named like a default without an expression (the backend fills it in)', () => {
    expect(
      ds.filterQuery({ refId: 'A', queryType: 'runway', resources: [{ name: 'cpu', expr: '', threshold: 0.8 }] })
    ).toBe(true);
  });
  it('skips hidden queries', () => {
    expect(ds.filterQuery({ refId: 'A', expr: 'up', hide: true })).toBe(false);
  });
});

describe('metricNames', () => {
  it('reads the backend resource "metrics"', async () => {
    const ds = datasource();
    const get = jest.spyOn(ds, 'getResource').mockResolvedValue(['up', 'system_cpu_utilization_ratio']);
    await expect(ds.metricNames()).resolves.toEqual(['up', 'system_cpu_utilization_ratio']);
    expect(get).toHaveBeenCalledWith('metrics');
  });
  it('treats a null body (no metrics yet) as an empty list', async () => {
    const ds = datasource();
    jest.spyOn(ds, 'getResource').mockResolvedValue(null);
    await expect(ds.metricNames()).resolves.toEqual([]);
  });
});
