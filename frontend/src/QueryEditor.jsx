// The query editor: one input per declared query field; a field's blur runs the query.
import * as React from 'react';

import { isVisible, missingDefaults, resourceOptions } from './declaration';
import { FieldInput } from './FieldInput';

/** The QueryEditor for the declaration's query fields. */
export function makeQueryEditor(declaration) {
  const fields = declaration.query.fields;
  return function QueryEditor({ query, onChange, onRunQuery, datasource }) {
    React.useEffect(() => {
      const defaults = missingDefaults(fields, query);
      if (defaults) {
        onChange({ ...defaults, ...query });
      }
      // Defaults are filled once, when the editor opens.
      // eslint-disable-next-line react-hooks/exhaustive-deps
    }, []);
    const loadOptions = React.useCallback(
      (resource) => datasource.getResource(resource.path).then((items) => resourceOptions(items, resource)),
      [datasource]
    );
    const setValue = (field, value) => {
      const next = { ...query, [field.key]: value };
      if (value === undefined) {
        delete next[field.key];
      }
      onChange(next);
      if (field.kind === 'select' || field.kind === 'boolean') {
        onRunQuery();
      }
    };
    return (
      <div data-testid="python-plugin-query-editor">
        {fields
          .filter((field) => isVisible(field, fields, query))
          .map((field) => (
            <FieldInput
              key={field.key}
              scope={`query-${query.refId}`}
              field={field}
              value={query[field.key]}
              onValue={(value) => setValue(field, value)}
              onBlur={onRunQuery}
              loadOptions={loadOptions}
            />
          ))}
      </div>
    );
  };
}
