// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// @grafana/* 13 pull in ESM-only packages (.mjs files of the d3 family and others) that the
// scaffold's list for 12.x does not cover; they are transformed like the plugin's own sources.
const swc = Object.values(base.transform)[0];
// Listed by scanning node_modules for "type": "module" packages without a require export.
const esModules = [
  ...grafanaESModules,
  '@grafana/react-data-grid',
  '@leeoniya/ufuzzy',
  '@react-hookz/web',
  '@ver0/deep-equal',
  'd3-[a-z-]+',
  'earcut',
  'internmap',
  'pbf',
  'quick-lru',
  'quickselect',
  'rbush',
  'uwrap',
];

module.exports = {
  ...base,
  moduleFileExtensions: ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'json', 'node'],
  transform: { ...base.transform, '^.+\\.mjs$': swc },
  transformIgnorePatterns: [nodeModulesToTransform(esModules)],
};
