import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

/** The query types the backend answers (README, "Query model"). */
export type QueryType = 'forecast' | 'runway' | 'anomalies';

export const QUERY_TYPES: QueryType[] = ['forecast', 'runway', 'anomalies'];

/** Which way a runway resource runs out: rising to its threshold (usage) or falling to it (free bytes). */
export type RunwayDirection = 'above' | 'below';

/** The backend's default runway resources: a row with one of these names may leave expr empty. */
export const DEFAULT_RESOURCES = ['cpu', 'memory', 'disk', 'filesystem'];

/** resourceExprMissing says whether a runway resource lacks the expression the backend needs. */
export function resourceExprMissing(r: { name: string; expr: string }): boolean {
  return r.expr.trim() === '' && !DEFAULT_RESOURCES.includes(r.name.trim());
}

/** One resource of a runway query: its PromQL, evaluated per target, and the threshold it must not reach. */
export interface RunwayResource {
  name: string;
  expr: string;
  threshold: number;
  /** Unset means the default resource's direction, or `above` for a new resource. */
  direction?: RunwayDirection;
}

/**
 * The query model as the backend reads it from DataQuery.JSON. Empty durations mean the
 * backend's defaults (horizon 7d, history the panel's range, step the panel's interval), so the
 * editor leaves them unset rather than writing the defaults into every saved dashboard.
 */
export interface InsightsQuery extends DataQuery {
  queryType?: QueryType;
  expr?: string;
  horizon?: string;
  history?: string;
  step?: string;
  legendFormat?: string;
  /** Runway only; empty means the backend's defaults (cpu, memory, disk, filesystem). */
  resources?: RunwayResource[];
  /**
   * Anomalies only: the anomaly processor's anomaly_metric label (the OTel name, e.g.
   * system.cpu.utilization) when it cannot be derived from the selector's metric name.
   */
  anomalyMetric?: string;
}

export const DEFAULT_QUERY: Partial<InsightsQuery> = {
  queryType: 'forecast',
  expr: '',
  horizon: '7d',
};

/** How the backend authenticates to Prometheus (jsonData.authType). */
export type AuthType = 'none' | 'basic' | 'bearer';

/**
 * jsonData of a datasource instance. The TLS keys are Grafana's standard ones, which the
 * backend hands to the SDK's HTTP client unchanged.
 */
export interface InsightsOptions extends DataSourceJsonData {
  authType?: AuthType;
  tlsSkipVerify?: boolean;
  tlsAuth?: boolean;
  tlsAuthWithCACert?: boolean;
  serverName?: string;
  /** Seconds per Prometheus request; unset means 30. */
  timeout?: number;
}

/** secureJsonData: written by the config editor, readable only by the backend. */
export interface InsightsSecureJsonData {
  basicAuthPassword?: string;
  bearerToken?: string;
  tlsCACert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
}

/** Resource paths the backend serves for the query editor. */
export const RESOURCE_METRICS = 'metrics';
