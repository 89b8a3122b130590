import React from 'react';
import { SelectableValue } from '@grafana/data';
import { Field, Input, RadioButtonGroup, SecretInput } from '@grafana/ui';

import { AuthType } from '../types';
import { resetSecure, setJson, setSecure, Settings } from './secure';

interface Props {
  options: Settings;
  onOptionsChange: (options: Settings) => void;
}

const AUTH_OPTIONS: Array<SelectableValue<AuthType>> = [
  { label: 'No authentication', value: 'none' },
  { label: 'Basic', value: 'basic' },
  { label: 'Bearer token', value: 'bearer' },
];

/**
 * AuthSettings picks one authentication mode. Basic auth uses Grafana's own basicAuth fields
 * (basicAuth, basicAuthUser, secure basicAuthPassword) so the SDK's HTTP client applies it.
 */
export function AuthSettings({ options, onOptionsChange }: Props) {
  const authType: AuthType = options.jsonData.authType ?? (options.basicAuth ? 'basic' : 'none');
  const configured = options.secureJsonFields ?? {};

  const onAuthType = (t: AuthType) =>
    onOptionsChange({ ...setJson(options, { authType: t }), basicAuth: t === 'basic' });

  // secret is a one-line secret kept in secureJsonData, with Grafana's "configured / Reset" state.
  const secret = (key: 'basicAuthPassword' | 'bearerToken', label: string, description?: string) => (
    <Field label={label} description={description} htmlFor={`mcobs-${key}`}>
      <SecretInput
        id={`mcobs-${key}`}
        width={40}
        isConfigured={!!configured[key]}
        value={options.secureJsonData?.[key] ?? ''}
        onChange={(e) => onOptionsChange(setSecure(options, key, e.currentTarget.value))}
        onReset={() => onOptionsChange(resetSecure(options, key))}
      />
    </Field>
  );

  return (
    <>
      <Field label="Authentication">
        <RadioButtonGroup<AuthType>
          aria-label="Authentication"
          options={AUTH_OPTIONS}
          value={authType}
          onChange={onAuthType}
        />
      </Field>
      {authType === 'basic' && (
        <>
          <Field label="User" htmlFor="mcobs-basic-user">
            <Input
              id="mcobs-basic-user"
              width={40}
              value={options.basicAuthUser ?? ''}
              onChange={(e) => onOptionsChange({ ...options, basicAuthUser: e.currentTarget.value })}
            />
          </Field>
          {secret('basicAuthPassword', 'Password')}
        </>
      )}
      {authType === 'bearer' && secret('bearerToken', 'Token', 'Sent as Authorization: Bearer …')}
    </>
  );
}
