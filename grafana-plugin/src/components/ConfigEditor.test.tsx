import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { renderConfigEditor, settings } from '../test/harness';
import { timeoutError, urlError } from './ConfigEditor';

describe('ConfigEditor', () => {
  it('keeps the bearer token in secureJsonData only', async () => {
    const user = userEvent.setup();
    const { latest } = renderConfigEditor(settings({ url: 'http://127.0.0.1:9090' }));

    await user.click(screen.getByRole('radio', { name: 'Bearer token' }));
    await user.type(screen.getByLabelText(/^Token/), 's3cr3t-token');

    const saved = latest();
    expect(saved.jsonData.authType).toBe('bearer');
    expect(saved.basicAuth).toBe(false);
    expect(saved.secureJsonData).toEqual({ bearerToken: 's3cr3t-token' });
    const { secureJsonData, ...clear } = saved;
    expect(JSON.stringify(clear)).not.toContain('s3cr3t');
  });

  it('resets a stored bearer token', async () => {
    const user = userEvent.setup();
    const { latest } = renderConfigEditor(
      settings({ jsonData: { authType: 'bearer' }, secureJsonFields: { bearerToken: true } })
    );
    expect(screen.getByLabelText(/^Token/)).toHaveValue('configured');

    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(latest().secureJsonFields.bearerToken).toBe(false);
    expect(latest().secureJsonData).toEqual({ bearerToken: '' });

    await user.type(screen.getByLabelText(/^Token/), 'new');
    expect(latest().secureJsonData).toEqual({ bearerToken: 'new' });
  });

  it('uses Grafana basic auth fields, the password kept secure', async () => {
    const user = userEvent.setup();
    const { latest } = renderConfigEditor(settings());

    await user.click(screen.getByRole('radio', { name: 'Basic' }));
    await user.type(screen.getByLabelText('User'), 'grafana');
    await user.type(screen.getByLabelText('Password'), 'pw');

    const saved = latest();
    expect(saved.basicAuth).toBe(true);
    expect(saved.basicAuthUser).toBe('grafana');
    expect(saved.jsonData.authType).toBe('basic');
    expect(saved.secureJsonData).toEqual({ basicAuthPassword: 'pw' });
    expect(screen.queryByLabelText(/^Token/)).not.toBeInTheDocument();
  });

  it('switching away from basic auth turns basicAuth off', async () => {
    const user = userEvent.setup();
    const { latest } = renderConfigEditor(
      settings({ basicAuth: true, basicAuthUser: 'u', jsonData: { authType: 'basic' } })
    );
    await user.click(screen.getByRole('radio', { name: 'No authentication' }));
    expect(latest().basicAuth).toBe(false);
    expect(latest().jsonData.authType).toBe('none');
  });

  it('stores the URL, the timeout as a number, and TLS settings with certificates secure', async () => {
    const user = userEvent.setup();
    const { latest } = renderConfigEditor(settings());

    await user.type(screen.getByLabelText(/^URL/), 'https://mimir.example/prometheus');
    await user.type(screen.getByLabelText(/^Timeout/), '45');
    await user.click(screen.getByRole('switch', { name: 'Skip TLS verify' }));
    await user.click(screen.getByRole('switch', { name: 'With CA cert' }));
    await user.type(screen.getByLabelText('CA certificate'), 'PEM-CA');
    await user.click(screen.getByRole('switch', { name: 'TLS client auth' }));
    await user.type(screen.getByLabelText(/^Server name/), 'prom.internal');
    await user.type(screen.getByLabelText('Client certificate'), 'PEM-CERT');
    await user.type(screen.getByLabelText('Client key'), 'PEM-KEY');

    const saved = latest();
    expect(saved.url).toBe('https://mimir.example/prometheus');
    expect(saved.jsonData).toEqual({
      timeout: 45,
      tlsSkipVerify: true,
      tlsAuthWithCACert: true,
      tlsAuth: true,
      serverName: 'prom.internal',
    });
    expect(saved.secureJsonData).toEqual({ tlsCACert: 'PEM-CA', tlsClientCert: 'PEM-CERT', tlsClientKey: 'PEM-KEY' });
  });

  it('explains a bad URL', async () => {
    const user = userEvent.setup();
    renderConfigEditor(settings());
    await user.type(screen.getByLabelText(/^URL/), '127.0.0.1:9090');
    expect(screen.getByText(/"127.0.0.1:9090" is not an absolute http or https URL/)).toBeInTheDocument();
  });
});

describe('urlError and timeoutError mirror the backend', () => {
  it('accepts http(s) URLs and an unset value', () => {
    expect(urlError(undefined)).toBeUndefined();
    expect(urlError('http://127.0.0.1:9090')).toBeUndefined();
    expect(urlError('https://thanos.example/query/')).toBeUndefined();
    expect(urlError('ftp://x')).toMatch(/not an absolute http/);
    expect(urlError('localhost')).toMatch(/not an absolute http/);
  });
  it('accepts 0 < timeout <= 3600', () => {
    expect(timeoutError(undefined)).toBeUndefined();
    expect(timeoutError(30)).toBeUndefined();
    expect(timeoutError(3600)).toBeUndefined();
    expect(timeoutError(0)).toMatch(/between 0 and 3600/);
    expect(timeoutError(3601)).toMatch(/between 0 and 3600/);
    expect(timeoutError(NaN)).toMatch(/between 0 and 3600/);
  });
});
