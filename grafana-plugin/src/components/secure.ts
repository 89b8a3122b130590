import { DataSourceSettings } from '@grafana/data';

import { InsightsOptions, InsightsSecureJsonData } from '../types';

export type Settings = DataSourceSettings<InsightsOptions, InsightsSecureJsonData>;
export type SecureKey = keyof InsightsSecureJsonData;

/**
 * setSecure writes a secret to secureJsonData only: Grafana encrypts that map and never sends
 * it back to the browser, while jsonData is stored and served in clear.
 */
export function setSecure(options: Settings, key: SecureKey, value: string): Settings {
  return { ...options, secureJsonData: { ...options.secureJsonData, [key]: value } };
}

/**
 * resetSecure forgets a stored secret: secureJsonFields[key]=false tells Grafana to drop the
 * encrypted value, and the empty secureJsonData value lets the user type a new one.
 */
export function resetSecure(options: Settings, key: SecureKey): Settings {
  return {
    ...options,
    secureJsonFields: { ...options.secureJsonFields, [key]: false },
    secureJsonData: { ...options.secureJsonData, [key]: '' },
  };
}

/** setJson updates jsonData, the settings the backend may read in clear. */
export function setJson(options: Settings, patch: Partial<InsightsOptions>): Settings {
  return { ...options, jsonData: { ...options.jsonData, ...patch } };
}
