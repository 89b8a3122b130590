import React from 'react';
import { Field, InlineField, InlineSwitch, Input, SecretTextArea } from '@grafana/ui';

import { InsightsOptions } from '../types';
import { resetSecure, SecureKey, setJson, setSecure, Settings } from './secure';

interface Props {
  options: Settings;
  onOptionsChange: (options: Settings) => void;
}

/** TlsSettings edits Grafana's standard TLS keys, which the SDK's HTTP client reads as they are. */
export function TlsSettings({ options, onOptionsChange }: Props) {
  const { jsonData } = options;
  const configured = options.secureJsonFields ?? {};

  const toggle = (key: keyof InsightsOptions, label: string, tooltip: string) => (
    <InlineField label={label} labelWidth={24} tooltip={tooltip}>
      <InlineSwitch
        aria-label={label}
        value={!!jsonData[key]}
        onChange={(e) => onOptionsChange(setJson(options, { [key]: e.currentTarget.checked }))}
      />
    </InlineField>
  );

  const pem = (key: SecureKey, label: string, placeholder: string) => (
    <Field label={label} htmlFor={`mcobs-${key}`}>
      <SecretTextArea
        id={`mcobs-${key}`}
        cols={60}
        rows={5}
        placeholder={placeholder}
        isConfigured={!!configured[key]}
        value={options.secureJsonData?.[key] ?? ''}
        onChange={(e) => onOptionsChange(setSecure(options, key, e.currentTarget.value))}
        onReset={() => onOptionsChange(resetSecure(options, key))}
      />
    </Field>
  );

  return (
    <>
      {toggle('tlsSkipVerify', 'Skip TLS verify', 'Accept any server certificate; for tests only')}
      {toggle('tlsAuthWithCACert', 'With CA cert', 'Verify the server with this CA instead of the system roots')}
      {jsonData.tlsAuthWithCACert && pem('tlsCACert', 'CA certificate', '-----BEGIN CERTIFICATE-----')}
      {toggle('tlsAuth', 'TLS client auth', 'Present a client certificate to the server')}
      {jsonData.tlsAuth && (
        <>
          <Field
            label="Server name"
            description="Name to verify the server certificate against"
            htmlFor="mcobs-server-name"
          >
            <Input
              id="mcobs-server-name"
              width={40}
              value={jsonData.serverName ?? ''}
              onChange={(e) => onOptionsChange(setJson(options, { serverName: e.currentTarget.value }))}
            />
          </Field>
          {pem('tlsClientCert', 'Client certificate', '-----BEGIN CERTIFICATE-----')}
          {pem('tlsClientKey', 'Client key', '-----BEGIN PRIVATE KEY-----')}
        </>
      )}
    </>
  );
}
