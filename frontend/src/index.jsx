// Entry point: the AMD wrapper calls createPlugin with the declaration the Python SDK wrote into module.js.
import { DataSourcePlugin } from '@grafana/data';

import { makeConfigEditor } from './ConfigEditor';
import { makeDataSource } from './datasource';
import { makeQueryEditor } from './QueryEditor';

const EMPTY = { version: 1, settings: { fields: [] }, query: { fields: [] } };

/** The DataSourcePlugin for a declaration (an empty one when the module was not written by the SDK). */
export function createPlugin(declaration) {
  const decl = declaration || EMPTY;
  return new DataSourcePlugin(makeDataSource(decl))
    .setConfigEditor(makeConfigEditor(decl))
    .setQueryEditor(makeQueryEditor(decl));
}
