import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import type { Context } from 'aws-lambda';
import { AthenaAdapter } from '../../shared/aws/athena-queries';
import { GlueAdapter } from '../../shared/aws/glue-catalog';
import { parseSearchConfig, type SearchConfig } from '../../shared/logs/config';
import { parseLogSearchEvent } from '../../shared/logs/events';
import { resumeLogSearch, runLogSearch, type SearchResult } from '../../shared/logs/search-run';
import { MetricUnit } from '../../shared/lambda/observability';
import { lambdaRuntime, type HandlerDeps } from '../../shared/lambda/runtime';
import { wrap } from '../../shared/lambda/wrap';

export type Deps = HandlerDeps<SearchConfig, 'glue' | 'athena'>;

/** Time kept back from the Lambda timeout to fetch rows and answer after the wait. */
const ANSWER_MARGIN_MS = 15_000;

/**
 * On demand: a parameterised Athena query over one table and date range, or
 * `{queryExecutionId}` to fetch a search that was still running. Returns ⇒ rows (or the id
 * of a query still running); throws ⇒ a bad request (EventValidationError, naming the field)
 * or a query Athena failed (QueryFailedError with Athena's reason).
 */
export function makeHandler(deps: () => Deps) {
  return async (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SearchResult> => {
    const d = deps();
    const request = parseLogSearchEvent(event);
    const budget = context?.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS : Number.POSITIVE_INFINITY;
    const config = { ...d.config, maxWaitMs: Math.max(0, Math.min(d.config.maxWaitMs, budget)) };
    const searchDeps = {
      adapters: { glue: new GlueAdapter(d.clients.glue), athena: new AthenaAdapter(d.clients.athena) },
      clock: d.clock,
      log: d.logger,
    };
    const result =
      request.kind === 'search'
        ? await runLogSearch(searchDeps, config, request.request)
        : await resumeLogSearch(searchDeps, config, request.request);
    d.metrics.addMetric('searchBytesScanned', MetricUnit.Bytes, result.dataScannedBytes);
    d.metrics.addMetric(result.status === 'SUCCEEDED' ? 'searchesAnswered' : 'searchesStillRunning', MetricUnit.Count, 1);
    return result;
  };
}

const runtime = lambdaRuntime('logSearch', parseSearchConfig, { glue: GlueClient, athena: AthenaClient });

export const handler = wrap(makeHandler(runtime.deps), runtime.logger, runtime.metrics, runtime.tracer);
