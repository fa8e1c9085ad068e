import * as z from 'zod';
import { EventValidationError } from '../../lambda/errors';
import { hako } from './hako';
import type { LauncherFormat, ReceivedAs, TaskShortfall } from './types';
import { v1 } from './v1';

/*
 * The job launchers' message formats runTaskFailure accepts, in one place. Each is a small
 * parser (types.ts, LauncherFormat) that claims its own messages by a key only it uses and
 * answers one TaskShortfall; a new format is one file added to this list (docs/capacity.md).
 */
export const LAUNCHERS: readonly LauncherFormat[] = [v1, hako];

/**
 * SNS → SQS without raw message delivery wraps the message in an SNS notification ("Amazon SNS
 * message and JSON formats", https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
 * Our own schema, not Powertools Parser's: see shared/lambda/sqs-event.ts for the bundle cost.
 */
const snsNotification = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.iso.datetime({ offset: true }),
});

function unwrapSns(body: unknown): { message: unknown; received: ReceivedAs } {
  if (!body || typeof body !== 'object' || (body as { Type?: unknown }).Type !== 'Notification') return { message: body, received: {} };
  const notification = snsNotification.safeParse(body);
  if (!notification.success)
    throw new EventValidationError(
      'malformed SNS notification',
      notification.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  try {
    const message: unknown = JSON.parse(notification.data.Message);
    return { message, received: { snsMessageId: notification.data.MessageId, sentAt: Date.parse(notification.data.Timestamp) } };
  } catch {
    throw new EventValidationError('SNS notification Message is not JSON', [notification.data.Message.slice(0, 200)]);
  }
}

/**
 * A launcher's RunTask result (raw, or in an SNS envelope) → the tasks that did not start and
 * whether capacity answers them. `sentAt`: the SQS record's sent time, for a format that
 * carries no time of its own when it came without an SNS envelope. Throws EventValidationError
 * naming each bad field of the format that claims the message, or every format when none does.
 */
export function parseLauncherMessage(body: unknown, sentAt?: number): TaskShortfall {
  const { message, received } = unwrapSns(body);
  const r: ReceivedAs = { ...(sentAt !== undefined ? { sentAt } : {}), ...received };
  const format = LAUNCHERS.find((l) => l.claims(message));
  if (format) return format.parse(message, r);
  // Claimed by none: named as our own format (every field it lacks), and the others listed.
  try {
    return v1.parse(message, r);
  } catch (err) {
    const issues = err instanceof EventValidationError ? err.issues : [String(err)];
    const others = LAUNCHERS.filter((l) => l !== v1).map((l) => `or ${l.name}: ${l.describe}`);
    throw new EventValidationError('not a RunTask result (version 1) nor of another known job launcher', [...issues, ...others]);
  }
}
