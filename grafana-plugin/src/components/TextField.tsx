import React from 'react';
import { InlineField, Input } from '@grafana/ui';

export interface TextFieldProps {
  id: string;
  label: string;
  value?: string;
  onChange: (value: string) => void;
  onBlur: () => void;
  /** Shown under the field, which is then marked invalid. */
  error?: string;
  tooltip?: string;
  placeholder?: string;
  labelWidth?: number;
  width?: number;
  grow?: boolean;
}

/**
 * TextField is the editors' labelled one-line text input: the label is tied to the input (so
 * tests and screen readers find it by name) and an error shows under it.
 */
export function TextField(p: TextFieldProps) {
  return (
    <InlineField
      label={p.label}
      labelWidth={p.labelWidth ?? 12}
      grow={p.grow}
      tooltip={p.tooltip}
      htmlFor={p.id}
      invalid={!!p.error}
      error={p.error}
    >
      <Input
        id={p.id}
        width={p.width}
        value={p.value ?? ''}
        placeholder={p.placeholder}
        onChange={(e) => p.onChange(e.currentTarget.value)}
        onBlur={p.onBlur}
      />
    </InlineField>
  );
}
