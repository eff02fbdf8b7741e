// One declared field rendered with Grafana's own inputs; `onValue` receives the new typed value.
import * as React from 'react';
import { Field, Input, Select, Switch, TextArea } from '@grafana/ui';

import { isMissing } from './declaration';

const codeStyle = { fontFamily: 'monospace' };

function numberValue(text) {
  return text === '' ? undefined : Number(text);
}

function SelectInput({ id, field, value, onValue, loadOptions }) {
  const [loaded, setLoaded] = React.useState({ options: [], error: '', loading: Boolean(field.optionsResource) });
  React.useEffect(() => {
    if (!field.optionsResource) {
      return undefined;
    }
    let live = true;
    loadOptions(field.optionsResource).then(
      (options) => live && setLoaded({ options, error: '', loading: false }),
      (err) => live && setLoaded({ options: [], error: String((err && err.message) || err), loading: false })
    );
    return () => {
      live = false;
    };
  }, [field.optionsResource, loadOptions]);
  const options = field.optionsResource ? loaded.options : field.options || [];
  const current = options.find((o) => o.value === value) || (value ? { value, label: value } : null);
  return (
    <Select
      inputId={id}
      options={options}
      value={current}
      isLoading={loaded.loading}
      allowCustomValue={Boolean(field.optionsResource)}
      placeholder={loaded.error ? `Could not load options: ${loaded.error}` : field.placeholder || 'Choose'}
      onChange={(option) => onValue(option ? option.value : undefined)}
      isClearable={!field.required}
    />
  );
}

function Control({ id, field, value, onValue, onBlur, loadOptions }) {
  switch (field.kind) {
    case 'number':
      return (
        <Input
          id={id}
          type="number"
          value={value === undefined || value === null ? '' : String(value)}
          placeholder={field.placeholder}
          onChange={(e) => onValue(numberValue(e.currentTarget.value))}
          onBlur={onBlur}
        />
      );
    case 'boolean':
      return <Switch id={id} value={Boolean(value)} onChange={(e) => onValue(e.currentTarget.checked)} />;
    case 'select':
      return <SelectInput id={id} field={field} value={value} onValue={onValue} loadOptions={loadOptions} />;
    case 'multiline':
    case 'code':
      return (
        <TextArea
          id={id}
          rows={field.kind === 'code' ? 6 : 3}
          style={field.kind === 'code' ? codeStyle : undefined}
          data-language={field.language}
          spellCheck={field.kind !== 'code'}
          value={value || ''}
          placeholder={field.placeholder}
          onChange={(e) => onValue(e.currentTarget.value)}
          onBlur={onBlur}
        />
      );
    default:
      return (
        <Input
          id={id}
          value={value || ''}
          placeholder={field.placeholder}
          onChange={(e) => onValue(e.currentTarget.value)}
          onBlur={onBlur}
        />
      );
  }
}

/** A labelled field; a required field left empty is marked invalid. */
export function FieldInput({ scope, field, value, onValue, onBlur, loadOptions }) {
  const id = `${scope}-${field.key}`;
  const missing = isMissing(field, value);
  const description = field.kind === 'code' && field.language ? `${field.description || ''} (${field.language})` : field.description;
  return (
    <Field
      label={field.label}
      description={description ? description.trim() : undefined}
      required={Boolean(field.required)}
      invalid={missing}
      error={missing ? `${field.label} is required` : undefined}
    >
      <Control id={id} field={field} value={value} onValue={onValue} onBlur={onBlur} loadOptions={loadOptions} />
    </Field>
  );
}
