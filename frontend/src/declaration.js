// Reading the declaration written by the Python SDK: defaults, visibility, streaming rules.

export const STRING_KINDS = new Set(['text', 'multiline', 'code', 'select']);

/** The declared defaults for the fields missing from `values` (null when nothing is missing). */
export function missingDefaults(fields, values) {
  const missing = {};
  for (const field of fields) {
    if (field.default !== undefined && !field.secure && (values || {})[field.key] === undefined) {
      missing[field.key] = field.default;
    }
  }
  return Object.keys(missing).length ? missing : null;
}

/** Whether `field` is shown for `values` (its showWhen rules, with other fields' defaults). */
export function isVisible(field, fields, values) {
  return Object.entries(field.showWhen || {}).every(([key, accepted]) => {
    const other = fields.find((f) => f.key === key);
    const value = values[key] !== undefined ? values[key] : other && other.default;
    return accepted.includes(String(value));
  });
}

/** Whether a required field is left empty. */
export function isMissing(field, value) {
  return Boolean(field.required) && (value === undefined || value === null || value === '');
}

/** Whether `query` runs as a live stream under the declaration's streaming rule. */
export function isStreaming(streaming, fields, query) {
  if (!streaming) {
    return false;
  }
  return Object.entries(streaming.when || {}).every(([key, accepted]) => {
    const field = fields.find((f) => f.key === key);
    const value = query[key] !== undefined ? query[key] : field && field.default;
    return accepted.includes(String(value));
  });
}

/** The declared fields' values of `query` (defaults filled in): the data a stream subscription carries. */
export function declaredValues(fields, query) {
  const values = {};
  for (const field of fields) {
    const value = query[field.key] !== undefined ? query[field.key] : field.default;
    if (value !== undefined) {
      values[field.key] = value;
    }
  }
  return values;
}

/** The channel path: `{key}` replaced by the query's value, characters Grafana Live refuses replaced by `_`. */
export function channelPath(template, values) {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, key) =>
    String(values[key] === undefined ? '' : values[key]).replace(/[^A-Za-z0-9_\-=.]/g, '_')
  );
}

/** Select options from a resource's JSON array: strings, or objects read through valueKey/labelKey. */
export function resourceOptions(items, resource) {
  if (!Array.isArray(items)) {
    throw new Error(`resource ${resource.path} did not answer a JSON array`);
  }
  return items.map((item) => {
    if (typeof item !== 'object' || item === null) {
      return { value: String(item), label: String(item) };
    }
    return { value: String(item[resource.valueKey]), label: String(item[resource.labelKey]) };
  });
}
