import React from 'react';
import { Button, IconButton, InlineField, InlineFieldRow, Input, RadioButtonGroup, Text } from '@grafana/ui';

import { resourceExprMissing, RunwayDirection, RunwayResource } from '../types';
import { TextField } from './TextField';

interface Props {
  resources: RunwayResource[];
  onChange: (resources: RunwayResource[]) => void;
  onCommit: () => void;
}

const DIRECTIONS: Array<{ label: string; value: RunwayDirection; description: string }> = [
  { label: 'above', value: 'above', description: 'Runs out when the value rises to the threshold (utilization)' },
  { label: 'below', value: 'below', description: 'Runs out when the value falls to the threshold (free bytes)' },
];

/** NEW_RESOURCE is the row "Add resource" appends: 90% is the backend's default threshold for ratios. */
export const NEW_RESOURCE: RunwayResource = { name: '', expr: '', threshold: 0.9 };

/**
 * thresholdError explains a threshold the backend cannot use. Ratios are the canonical
 * metrics' unit, but bytes thresholds are allowed, so only non-numbers and negatives are wrong.
 */
export function thresholdError(value: number): string | undefined {
  return Number.isFinite(value) && value >= 0 ? undefined : 'threshold must be a number ≥ 0, e.g. 0.9 for 90%';
}

/**
 * RunwayResources edits a runway query's resources. An empty list is valid and means the
 * backend's defaults, which is why removing the last row is allowed.
 */
export function RunwayResources({ resources, onChange, onCommit }: Props) {
  const update = (i: number, patch: Partial<RunwayResource>) =>
    onChange(resources.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <div>
      {resources.length === 0 && (
        <Text color="secondary" element="p">
          No resources: the backend uses its defaults for cpu, memory, disk and filesystem.
        </Text>
      )}
      {resources.map((r, i) => (
        <InlineFieldRow key={i}>
          <TextField
            id={`runway-name-${i}`}
            label="Resource"
            width={14}
            placeholder="disk"
            value={r.name}
            onChange={(name) => update(i, { name })}
            onBlur={onCommit}
          />
          <TextField
            id={`runway-expr-${i}`}
            label="Expr"
            labelWidth={8}
            grow
            placeholder="max by (host_name) (system_filesystem_utilization_ratio)"
            value={r.expr}
            error={
              resourceExprMissing(r)
                ? 'expr is required (only cpu, memory, disk and filesystem have defaults)'
                : undefined
            }
            onChange={(expr) => update(i, { expr })}
            onBlur={onCommit}
          />
          <InlineField
            label="Threshold"
            htmlFor={`runway-threshold-${i}`}
            invalid={!!thresholdError(r.threshold)}
            error={thresholdError(r.threshold)}
          >
            <Input
              id={`runway-threshold-${i}`}
              type="number"
              width={10}
              step="0.01"
              value={Number.isNaN(r.threshold) ? '' : r.threshold}
              onChange={(e) => update(i, { threshold: e.currentTarget.valueAsNumber })}
              onBlur={onCommit}
            />
          </InlineField>
          <InlineField label="Crosses" tooltip="Which way the resource runs out">
            <RadioButtonGroup
              size="sm"
              options={DIRECTIONS}
              value={r.direction ?? 'above'}
              onChange={(direction) => {
                update(i, { direction });
                onCommit();
              }}
            />
          </InlineField>
          <IconButton
            name="trash-alt"
            aria-label={`Remove resource ${i + 1}`}
            onClick={() => {
              onChange(resources.filter((_, j) => j !== i));
              onCommit();
            }}
          />
        </InlineFieldRow>
      ))}
      <Button variant="secondary" size="sm" icon="plus" onClick={() => onChange([...resources, { ...NEW_RESOURCE }])}>
        Add resource
      </Button>
    </div>
  );
}
