import React, { ChangeEvent } from 'react';
import { Field, SecretInput, SecretTextArea } from '@grafana/ui';

import { resetSecure, SecureKey, setSecure, Settings } from './secure';

interface Props {
  options: Settings;
  onOptionsChange: (options: Settings) => void;
  field: SecureKey;
  label: string;
  description?: string;
  placeholder?: string;
  /** A PEM block rather than a one-line secret. */
  multiline?: boolean;
}

/**
 * SecretField edits one secureJsonData value with Grafana's "configured / Reset" state: a
 * stored secret is never sent back to the browser, so the field can only be replaced or reset.
 */
export function SecretField({ options, onOptionsChange, field, label, description, placeholder, multiline }: Props) {
  const common = {
    id: `mcobs-${field}`,
    placeholder,
    isConfigured: !!options.secureJsonFields?.[field],
    value: options.secureJsonData?.[field] ?? '',
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      onOptionsChange(setSecure(options, field, e.currentTarget.value)),
    onReset: () => onOptionsChange(resetSecure(options, field)),
  };
  return (
    <Field label={label} description={description} htmlFor={common.id}>
      {multiline ? <SecretTextArea {...common} cols={60} rows={5} /> : <SecretInput {...common} width={40} />}
    </Field>
  );
}
