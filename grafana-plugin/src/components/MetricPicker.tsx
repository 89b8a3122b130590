import React, { useCallback, useRef, useState } from 'react';
import { Combobox, ComboboxOption, InlineField } from '@grafana/ui';

import { filterMetrics } from './exprEdit';

interface Props {
  /** Loads every metric name; called once per editor, the list is then filtered locally. */
  loadMetrics: () => Promise<string[]>;
  onPick: (metric: string) => void;
}

/**
 * MetricPicker suggests metric names from the backend's `metrics` resource. It loads the list
 * once and filters as the user types, so typing does not send a request per key.
 */
export function MetricPicker({ loadMetrics, onPick }: Props) {
  const cache = useRef<Promise<string[]> | undefined>(undefined);
  const [error, setError] = useState<string>();

  const options = useCallback(
    async (typed: string): Promise<Array<ComboboxOption<string>>> => {
      if (!cache.current) {
        cache.current = loadMetrics();
      }
      try {
        const names = await cache.current;
        setError(undefined);
        return filterMetrics(names, typed).map((n) => ({ value: n, label: n }));
      } catch (err) {
        cache.current = undefined; // let the next opening retry
        setError(`Could not load metric names: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      }
    },
    [loadMetrics]
  );

  return (
    <InlineField
      label="Metric"
      labelWidth={12}
      tooltip="Insert a metric name at the cursor"
      invalid={!!error}
      error={error}
    >
      <Combobox<string>
        id="mcobs-metric-picker"
        aria-label="Metric name"
        width={40}
        placeholder="Search metric names"
        value={null}
        options={options}
        onChange={(o) => onPick(o.value)}
      />
    </InlineField>
  );
}
