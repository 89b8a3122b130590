import React, { useCallback, useRef } from 'react';
import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, RadioButtonGroup, Stack, TextArea } from '@grafana/ui';

import { DataSource } from '../datasource';
import { validateDuration } from '../durations';
import { InsightsOptions, InsightsQuery, QueryType } from '../types';
import { DurationField } from './DurationField';
import { insertMetric } from './exprEdit';
import { MetricPicker } from './MetricPicker';
import { RunwayResources } from './RunwayResources';
import { TextField } from './TextField';

type Props = QueryEditorProps<DataSource, InsightsQuery, InsightsOptions>;

const TYPE_OPTIONS: Array<SelectableValue<QueryType>> = [
  { label: 'Forecast', value: 'forecast', description: 'History plus a forecast with 80% and 95% intervals' },
  { label: 'Capacity runway', value: 'runway', description: 'Days until each resource reaches its threshold' },
  { label: 'Anomalies', value: 'anomalies', description: 'Value, expected band and anomaly points' },
];

/** The fields each query type reads; the others are kept (switching back restores them) but hidden. */
const FIELDS: Record<QueryType, Record<'expr' | 'horizon' | 'history' | 'step' | 'legend', boolean>> = {
  forecast: { expr: true, horizon: true, history: true, step: true, legend: true },
  runway: { expr: false, horizon: true, history: true, step: true, legend: false },
  anomalies: { expr: true, horizon: false, history: false, step: true, legend: true },
};

const DURATIONS: Array<{ key: 'horizon' | 'history' | 'step'; label: string; tooltip: string; placeholder: string }> = [
  { key: 'horizon', label: 'Horizon', tooltip: 'How far ahead to forecast', placeholder: '7d' },
  {
    key: 'history',
    label: 'History',
    tooltip: "How much history to fit; empty means the panel's time range",
    placeholder: 'panel range',
  },
  {
    key: 'step',
    label: 'Step',
    tooltip: "Resolution of the evaluation; empty means the panel's interval",
    placeholder: 'auto',
  },
];

/** isRunnable says whether every duration is valid, so a half-typed "7" does not run a query. */
function isRunnable(q: InsightsQuery): boolean {
  return [q.horizon, q.history, q.step].every((d) => validateDuration(d) === undefined);
}

/** QueryEditor edits the query model of the README's contract for all three query types. */
export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const queryType: QueryType = query.queryType ?? 'forecast';
  const fields = FIELDS[queryType];
  const exprRef = useRef<HTMLTextAreaElement>(null);

  const update = (patch: Partial<InsightsQuery>) => onChange({ ...query, ...patch });
  const commit = (q: InsightsQuery = query) => isRunnable(q) && onRunQuery();
  const loadMetrics = useCallback(() => datasource.metricNames(), [datasource]);

  const pickMetric = (metric: string) => {
    const next = { ...query, expr: insertMetric(query.expr ?? '', metric, exprRef.current?.selectionStart) };
    onChange(next);
    commit(next);
  };

  return (
    <Stack direction="column" gap={1}>
      <InlineField label="Query type" labelWidth={12}>
        <RadioButtonGroup<QueryType>
          aria-label="Query type"
          options={TYPE_OPTIONS}
          value={queryType}
          onChange={(t) => {
            const next = { ...query, queryType: t };
            onChange(next);
            commit(next);
          }}
        />
      </InlineField>

      {fields.expr && (
        <>
          <InlineField
            label="Expr"
            labelWidth={12}
            grow
            htmlFor="mcobs-expr"
            tooltip={
              queryType === 'anomalies'
                ? 'A selector of the source series, e.g. system_cpu_utilization_ratio{host_name="web-1"}'
                : 'PromQL; dashboard variables such as $host are interpolated'
            }
          >
            <TextArea
              id="mcobs-expr"
              ref={exprRef}
              rows={2}
              value={query.expr ?? ''}
              placeholder='sum by (host_name) (system_cpu_utilization_ratio{cloud_provider="aws"})'
              onChange={(e) => update({ expr: e.currentTarget.value })}
              onBlur={() => commit()}
            />
          </InlineField>
          <MetricPicker loadMetrics={loadMetrics} onPick={pickMetric} />
        </>
      )}

      {queryType === 'anomalies' && (
        <TextField
          id="mcobs-anomaly-metric"
          label="Anomaly metric"
          labelWidth={16}
          width={40}
          tooltip="The anomaly_metric label to join on, when it is not the selector's metric name with dots"
          placeholder="derived from the selector"
          value={query.anomalyMetric}
          onChange={(anomalyMetric) => update({ anomalyMetric })}
          onBlur={() => commit()}
        />
      )}

      {queryType === 'runway' && (
        <RunwayResources
          resources={query.resources ?? []}
          onChange={(resources) => update({ resources })}
          onCommit={() => commit()}
        />
      )}

      <InlineFieldRow>
        {DURATIONS.filter((d) => fields[d.key]).map((d) => (
          <DurationField
            key={d.key}
            id={`mcobs-${d.key}`}
            label={d.label}
            tooltip={d.tooltip}
            placeholder={d.placeholder}
            value={query[d.key]}
            onChange={(v) => update({ [d.key]: v })}
            onCommit={commit}
          />
        ))}
        {fields.legend && (
          <TextField
            id="mcobs-legend"
            label="Legend"
            width={24}
            tooltip="Series name, e.g. {{host_name}}"
            placeholder="{{instance}}"
            value={query.legendFormat}
            onChange={(legendFormat) => update({ legendFormat })}
            onBlur={() => commit()}
          />
        )}
      </InlineFieldRow>
    </Stack>
  );
}
