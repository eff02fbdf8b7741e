// The data source: queries through the plugin's backend; streaming queries subscribe to a live channel.
import { LiveChannelScope } from '@grafana/data';
import { DataSourceWithBackend, getGrafanaLiveSrv, getTemplateSrv } from '@grafana/runtime';
import { merge } from 'rxjs';

import { STRING_KINDS, channelPath, declaredValues, isStreaming, missingDefaults } from './declaration';

/** A DataSourceWithBackend class for the declaration's query fields. */
export function makeDataSource(declaration) {
  const { fields, streaming } = declaration.query;
  return class PythonDataSource extends DataSourceWithBackend {
    getDefaultQuery() {
      return missingDefaults(fields, {}) || {};
    }

    applyTemplateVariables(query, scopedVars) {
      const templateSrv = getTemplateSrv();
      const next = { ...query };
      for (const field of fields) {
        if (STRING_KINDS.has(field.kind) && typeof next[field.key] === 'string') {
          next[field.key] = templateSrv.replace(next[field.key], scopedVars);
        }
      }
      return next;
    }

    query(request) {
      const live = request.targets.filter((q) => !q.hide && isStreaming(streaming, fields, q));
      if (!live.length) {
        return super.query(request);
      }
      const streams = live.map((target) => {
        const values = declaredValues(fields, this.applyTemplateVariables(target, request.scopedVars));
        return getGrafanaLiveSrv().getDataStream({
          key: `${this.uid}-${target.refId}`,
          addr: {
            scope: LiveChannelScope.DataSource,
            namespace: this.uid,
            path: channelPath(streaming.path, { ...values, refId: target.refId }),
            data: values,
          },
          buffer: { maxLength: request.maxDataPoints || 1000 },
        });
      });
      const rest = request.targets.filter((q) => !live.includes(q));
      if (rest.length) {
        streams.push(super.query({ ...request, targets: rest }));
      }
      return merge(...streams);
    }
  };
}
