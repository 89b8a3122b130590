import React from 'react';
import { SelectableValue } from '@grafana/data';
import { Field, Input, RadioButtonGroup } from '@grafana/ui';

import { AuthType } from '../types';
import { SecretField } from './SecretField';
import { setJson, Settings } from './secure';

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

  const onAuthType = (t: AuthType) =>
    onOptionsChange({ ...setJson(options, { authType: t }), basicAuth: t === 'basic' });

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
          <SecretField {...{ options, onOptionsChange }} field="basicAuthPassword" label="Password" />
        </>
      )}
      {authType === 'bearer' && (
        <SecretField
          {...{ options, onOptionsChange }}
          field="bearerToken"
          label="Token"
          description="Sent as Authorization: Bearer …"
        />
      )}
    </>
  );
}
