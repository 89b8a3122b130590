import React, { useState } from 'react';
import { render } from '@testing-library/react';
import { DataSourceSettings } from '@grafana/data';

import { ConfigEditor } from '../components/ConfigEditor';
import { QueryEditor } from '../components/QueryEditor';
import { DataSource } from '../datasource';
import { InsightsOptions, InsightsQuery, InsightsSecureJsonData } from '../types';

type Settings = DataSourceSettings<InsightsOptions, InsightsSecureJsonData>;

/**
 * renderQueryEditor mounts the editor the way Grafana does, feeding every onChange back as the
 * next query, and exposes the latest model so a test reads what Grafana would save.
 */
export function renderQueryEditor(initial: InsightsQuery, metricNames: () => Promise<string[]> = async () => []) {
  const changes: InsightsQuery[] = [];
  const onRunQuery = jest.fn();
  const datasource = { metricNames: jest.fn(metricNames) } as unknown as DataSource;
  function Harness() {
    const [query, setQuery] = useState(initial);
    return (
      <QueryEditor
        query={query}
        datasource={datasource}
        onRunQuery={onRunQuery}
        onChange={(q) => {
          changes.push(q);
          setQuery(q);
        }}
      />
    );
  }
  const view = render(<Harness />);
  return { ...view, onRunQuery, datasource, latest: () => changes[changes.length - 1] ?? initial, changes };
}

/** settings are the options Grafana hands a new, unsaved instance's config editor. */
export function settings(patch: Partial<Settings> = {}): Settings {
  return {
    id: 1,
    uid: 'mcobs-insights',
    orgId: 1,
    name: 'mcobs Insights',
    type: 'mcobs-insights-datasource',
    typeName: 'mcobs Insights',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    ...patch,
  } as Settings;
}

/** renderConfigEditor mounts the config editor with state, like Grafana's settings page. */
export function renderConfigEditor(initial: Settings) {
  const changes: Settings[] = [];
  function Harness() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(o) => {
          changes.push(o);
          setOptions(o);
        }}
      />
    );
  }
  const view = render(<Harness />);
  return { ...view, latest: () => changes[changes.length - 1] ?? initial, changes };
}
