import React from 'react';
import { Field, InlineField, InlineSwitch, Input } from '@grafana/ui';

import { InsightsOptions } from '../types';
import { SecretField } from './SecretField';
import { SecureKey, setJson, Settings } from './secure';

interface Props {
  options: Settings;
  onOptionsChange: (options: Settings) => void;
}

/** TlsSettings edits Grafana's standard TLS keys, which the SDK's HTTP client reads as they are. */
export function TlsSettings({ options, onOptionsChange }: Props) {
  const { jsonData } = options;

  const toggle = (key: keyof InsightsOptions, label: string, tooltip: string) => (
    <InlineField label={label} labelWidth={24} tooltip={tooltip}>
      <InlineSwitch
        aria-label={label}
        value={!!jsonData[key]}
        onChange={(e) => onOptionsChange(setJson(options, { [key]: e.currentTarget.checked }))}
      />
    </InlineField>
  );

  const pem = (field: SecureKey, label: string, placeholder: string) => (
    <SecretField {...{ options, onOptionsChange }} multiline field={field} label={label} placeholder={placeholder} />
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
