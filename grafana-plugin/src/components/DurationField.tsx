import React from 'react';
import { InlineField, Input } from '@grafana/ui';

import { validateDuration } from '../durations';

interface Props {
  id: string;
  label: string;
  tooltip: string;
  placeholder: string;
  value?: string;
  onChange: (value: string) => void;
  /** Called when the field loses focus with a value the backend accepts. */
  onCommit: () => void;
}

/** DurationField is a Prometheus duration input that shows what is wrong under a bad value. */
export function DurationField({ id, label, tooltip, placeholder, value, onChange, onCommit }: Props) {
  const error = validateDuration(value);
  return (
    <InlineField label={label} labelWidth={12} tooltip={tooltip} invalid={!!error} error={error} htmlFor={id}>
      <Input
        id={id}
        width={12}
        value={value ?? ''}
        placeholder={placeholder}
        onChange={(e) => onChange(e.currentTarget.value)}
        onBlur={() => !error && onCommit()}
      />
    </InlineField>
  );
}
