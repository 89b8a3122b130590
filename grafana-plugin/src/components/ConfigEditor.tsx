import React from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input } from '@grafana/ui';

import { InsightsOptions, InsightsSecureJsonData } from '../types';
import { AuthSettings } from './AuthSettings';
import { setJson } from './secure';
import { TlsSettings } from './TlsSettings';

type Props = DataSourcePluginOptionsEditorProps<InsightsOptions, InsightsSecureJsonData>;

/** urlError mirrors the backend's check so the mistake shows before "Save & test". */
export function urlError(url: string | undefined): string | undefined {
  if (!url) {
    return undefined;
  }
  try {
    const u = new URL(url.trim());
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '') {
      return undefined;
    }
  } catch {
    // reported below
  }
  return `"${url}" is not an absolute http or https URL such as http://127.0.0.1:9090`;
}

/** timeoutError mirrors the backend: seconds, more than 0 and at most 3600. */
export function timeoutError(timeout: number | undefined): string | undefined {
  if (timeout === undefined || (Number.isFinite(timeout) && timeout > 0 && timeout <= 3600)) {
    return undefined;
  }
  return 'timeout must be a number of seconds between 0 and 3600';
}

/** ConfigEditor edits the datasource settings of the README's contract. */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const uErr = urlError(options.url);
  const tErr = timeoutError(options.jsonData.timeout);
  return (
    <>
      <FieldSet label="Prometheus">
        <Field
          label="URL"
          description="Base URL of a Prometheus-compatible HTTP API (Prometheus, Mimir, Thanos, VictoriaMetrics)"
          htmlFor="mcobs-url"
          invalid={!!uErr}
          error={uErr}
          required
        >
          <Input
            id="mcobs-url"
            width={60}
            value={options.url ?? ''}
            placeholder="http://127.0.0.1:9090"
            onChange={(e) => onOptionsChange({ ...options, url: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="Timeout"
          description="Seconds per request (default 30)"
          htmlFor="mcobs-timeout"
          invalid={!!tErr}
          error={tErr}
        >
          <Input
            id="mcobs-timeout"
            type="number"
            width={12}
            value={options.jsonData.timeout ?? ''}
            placeholder="30"
            onChange={(e) => {
              const raw = e.currentTarget.value;
              onOptionsChange(setJson(options, { timeout: raw === '' ? undefined : e.currentTarget.valueAsNumber }));
            }}
          />
        </Field>
      </FieldSet>
      <FieldSet label="Authentication">
        <AuthSettings options={options} onOptionsChange={onOptionsChange} />
      </FieldSet>
      <FieldSet label="TLS">
        <TlsSettings options={options} onOptionsChange={onOptionsChange} />
      </FieldSet>
    </>
  );
}
