// The data source settings page: jsonData fields, and secrets in secureJsonData shown as configured or not.
import * as React from 'react';
import { Field, SecretInput } from '@grafana/ui';

import { isMissing, isVisible, missingDefaults } from './declaration';
import { FieldInput } from './FieldInput';

function SecretField({ field, options, onOptionsChange }) {
  const configured = Boolean((options.secureJsonFields || {})[field.key]);
  const value = (options.secureJsonData || {})[field.key];
  const missing = !configured && isMissing(field, value);
  const update = (secureJsonFields, secureValue) =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...options.secureJsonFields, [field.key]: secureJsonFields },
      secureJsonData: { ...options.secureJsonData, [field.key]: secureValue },
    });
  return (
    <Field
      label={field.label}
      description={field.description}
      required={Boolean(field.required)}
      invalid={missing}
      error={missing ? `${field.label} is required` : undefined}
    >
      <SecretInput
        id={`config-${field.key}`}
        isConfigured={configured}
        value={value || ''}
        placeholder={field.placeholder}
        onReset={() => update(false, '')}
        onChange={(e) => update(false, e.currentTarget.value)}
      />
    </Field>
  );
}

/** The ConfigEditor for the declaration's settings fields. */
export function makeConfigEditor(declaration) {
  const fields = declaration.settings.fields;
  return function ConfigEditor({ options, onOptionsChange }) {
    const jsonData = options.jsonData || {};
    React.useEffect(() => {
      const defaults = missingDefaults(fields, jsonData);
      if (defaults) {
        onOptionsChange({ ...options, jsonData: { ...defaults, ...jsonData } });
      }
      // Defaults are filled once, when the page opens.
      // eslint-disable-next-line react-hooks/exhaustive-deps
    }, []);
    const setJson = (key, value) => {
      const next = { ...jsonData, [key]: value };
      if (value === undefined) {
        delete next[key];
      }
      onOptionsChange({ ...options, jsonData: next });
    };
    return (
      <div data-testid="python-plugin-config-editor">
        {fields
          .filter((field) => isVisible(field, fields, jsonData))
          .map((field) =>
            field.secure ? (
              <SecretField key={field.key} field={field} options={options} onOptionsChange={onOptionsChange} />
            ) : (
              <FieldInput
                key={field.key}
                scope="config"
                field={field}
                value={jsonData[field.key]}
                onValue={(value) => setJson(field.key, value)}
              />
            )
          )}
      </div>
    );
  };
}
