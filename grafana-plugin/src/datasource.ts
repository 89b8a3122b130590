import { CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { DEFAULT_QUERY, InsightsOptions, InsightsQuery, RESOURCE_METRICS, resourceExprMissing } from './types';

/** Characters that mean something in a PromQL regex matcher (=~). */
const REGEX_SPECIAL = /[\\^$*+?.()|[\]{}]/g;

/**
 * formatPromValue formats a dashboard variable's value for PromQL the way Grafana's Prometheus
 * datasource does: a multi-value or "All" variable becomes a regex alternation, (a|b), for use
 * in label=~"$host"; a single value is inserted unchanged.
 */
export function formatPromValue(value: string | string[]): string {
  if (!Array.isArray(value)) {
    return value;
  }
  const escaped = value.map((v) => v.replace(REGEX_SPECIAL, '\\$&'));
  return escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
}

/**
 * DataSource sends queries to the Go backend, which does the forecasting; the frontend only
 * interpolates dashboard variables and serves the query editor's lookups.
 */
export class DataSource extends DataSourceWithBackend<InsightsQuery, InsightsOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<InsightsOptions>) {
    super(instanceSettings);
  }

  getDefaultQuery(_: CoreApp): Partial<InsightsQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * applyTemplateVariables interpolates every string the backend reads, so $host in an
   * expression and $horizon in a duration both work; legendFormat keeps its {{label}} syntax.
   */
  applyTemplateVariables(query: InsightsQuery, scopedVars: ScopedVars): InsightsQuery {
    const srv = getTemplateSrv();
    const expr = (s: string | undefined) => (s === undefined ? s : srv.replace(s, scopedVars, formatPromValue));
    const plain = (s: string | undefined) => (s === undefined ? s : srv.replace(s, scopedVars));
    return {
      ...query,
      expr: expr(query.expr),
      horizon: plain(query.horizon),
      history: plain(query.history),
      step: plain(query.step),
      legendFormat: plain(query.legendFormat),
      anomalyMetric: plain(query.anomalyMetric),
      resources: query.resources?.map((r) => ({ ...r, expr: expr(r.expr) ?? '' })),
    };
  }

  /**
   * filterQuery skips queries the backend would reject for want of an expression. A runway
   * query needs none: without resources, or for a resource named like a default, the backend
   * uses its cpu, memory, disk and filesystem expressions.
   */
  filterQuery(query: InsightsQuery): boolean {
    if (query.hide) {
      return false;
    }
    if (query.queryType === 'runway') {
      return !(query.resources ?? []).some(resourceExprMissing);
    }
    return !!query.expr?.trim();
  }

  /** metricNames lists the metric names Prometheus knows, for the query editor's picker. */
  async metricNames(): Promise<string[]> {
    const names = await this.getResource<string[] | null>(RESOURCE_METRICS);
    return names ?? [];
  }
}
