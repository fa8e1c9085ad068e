import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { FifoSender } from '../aws/sqs-fifo-sender';
import { QueueAdapter } from '../aws/sqs-queues';
import { parseEnv } from '../lambda/env';
import { forwardEnv, runTaskForwardEnv } from './config';
import type { Log } from '../lambda/observability';
import type { HandlerDeps } from '../lambda/runtime';
import { processSqsGroups } from '../lambda/sqs-batch';
import { sqsRecords } from '../lambda/sqs-event';
import { deduplicationIdOf, type CapacityMessage } from './writer-messages';

/** runTaskFailure and placementFailure: their own queue (to retry a record early) and the capacity writer's FIFO queue. */
export interface ForwardConfig {
  queueName: string;
  capacityQueueName: string;
  deadLetterQueueName?: string;
}

export function parseRunTaskForwardConfig(env: NodeJS.ProcessEnv = process.env): ForwardConfig & { maxResultAgeMs: number } {
  const e = parseEnv(runTaskForwardEnv, env);
  return { ...parseForwardConfig(env), maxResultAgeMs: e.RUN_TASK_RESULT_MAX_AGE_SECONDS * 1000 };
}

export function parseForwardConfig(env: NodeJS.ProcessEnv = process.env): ForwardConfig {
  const e = parseEnv(forwardEnv, env);
  return {
    queueName: e.QUEUE_NAME,
    capacityQueueName: e.CAPACITY_QUEUE_NAME,
    ...(e.DEAD_LETTER_QUEUE_NAME ? { deadLetterQueueName: e.DEAD_LETTER_QUEUE_NAME } : {}),
  };
}

export type ForwardDeps = HandlerDeps<ForwardConfig, 'sqs'>;

export interface ForwardKind {
  source: string;
  kind: string;
  /** The capacity messages one record asks for (none: logged, acknowledged). Throws EventValidationError naming each bad field. */
  toMessages(body: unknown, record: SQSRecord, log: Log): CapacityMessage[];
}

/** A record's identity when its body names none: the body itself (a redelivered copy is the same result). */
export const bodyId = (record: SQSRecord) => `sha256-${createHash('sha256').update(record.body).digest('hex').slice(0, 40)}`;

/**
 * An SQS-fed trigger that validates its records and forwards the demand they carry to the
 * capacity writer's FIFO queue (group = cluster, deduplication id = the trigger's own id), where
 * one writer per cluster plans and writes. Failure semantics: a non-SQS event throws
 * EventValidationError; a malformed record is dead-lettered with the reason; when SQS refuses
 * the forward, every record of the batch is a batch item failure (retried; the deduplication ids
 * make the messages already taken harmless); otherwise the batch is acknowledged.
 */
export function makeForwarder(deps: () => ForwardDeps, k: ForwardKind) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const records = sqsRecords(event, k.source);
    const d = deps();
    const queues = new QueueAdapter(d.clients.sqs);
    const fifo = new FifoSender(d.clients.sqs, queues);
    return processSqsGroups(
      records,
      (body, record) => k.toMessages(body, record, d.logger),
      () => 'batch',
      async (groups) => {
        const messages = [...groups.values()].flat().flatMap((x) => x.item);
        if (messages.length > 0)
          await fifo.send(
            d.config.capacityQueueName,
            messages.map((m) => ({ body: m, groupId: m.cluster, deduplicationId: deduplicationIdOf(m) })),
          );
        d.logger.info('forwarded to the capacity writer', {
          messages: messages.length,
          clusters: [...new Set(messages.map((m) => m.cluster))],
        });
        return new Map();
      },
      {
        queues,
        queueName: d.config.queueName,
        deadLetterQueueName: d.config.deadLetterQueueName,
        retryAfterSeconds: 5,
        log: d.logger,
        source: k.source,
        kind: k.kind,
        clock: d.clock,
      },
    );
  };
}
