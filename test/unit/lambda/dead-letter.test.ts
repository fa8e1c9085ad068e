import { createHash } from 'node:crypto';
import { QueueAdapter } from '../../../shared/aws/sqs-queues';
import { DEAD_LETTER_MAX_BYTES, deadLetter, deadLetterMessage, type OversizedInput } from '../../../shared/lambda/dead-letter';
import { EventValidationError } from '../../../shared/lambda/errors';
import { SimulatedAccount } from '../../../sim/account';
import { recordingLogger } from '../../support/recorders';

const NOW = Date.parse('2026-11-23T10:00:07Z');
const error = new EventValidationError('malformed Spot interruption event', ['time: expected an ISO-8601 time']);
const bytesOf = (m: { body: string; attributes: Record<string, string> }) =>
  Buffer.byteLength(m.body) +
  Object.entries(m.attributes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + 'String'.length + Buffer.byteLength(v), 0);

describe('dead-letter messages', () => {
  it('say which function and message kind they came from, why, when (by the given clock), and carry the input whole', () => {
    const input = { id: 'e-1', detail: { 'instance-id': 'web-1' } };
    const m = deadLetterMessage({ source: 'spotInterruption', kind: 'spot-interruption-warning', input, error }, NOW);
    expect(JSON.parse(m.body)).toEqual({
      source: 'spotInterruption',
      kind: 'spot-interruption-warning',
      error: 'EventValidationError: malformed Spot interruption event: time: expected an ISO-8601 time',
      rejectedAt: '2026-11-23T10:00:07.000Z',
      input,
    });
    expect(m.attributes).toEqual({
      source: 'spotInterruption',
      kind: 'spot-interruption-warning',
      error: expect.stringMatching(/^EventValidationError/),
    });
  });

  it.each([
    ['ASCII', 'x'.repeat(300_000)],
    ['quotes and newlines (JSON escapes double them)', '"\n'.repeat(150_000)],
    ['multi-byte characters', 'é✓𝄞'.repeat(40_000)],
  ])('keeps oversized input (%s) as its size, SHA-256 and head, within the SQS message limit', (_, body) => {
    const m = deadLetterMessage({ source: 'asgLifecycleDrain', kind: 'asg-drain-message', input: body, error }, NOW);
    expect(bytesOf(m)).toBeLessThanOrEqual(DEAD_LETTER_MAX_BYTES);
    const input = JSON.parse(m.body).input as OversizedInput;
    expect(input).toMatchObject({
      oversized: true,
      bytes: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    expect(body.startsWith(input.head)).toBe(true);
    expect(Buffer.byteLength(m.body)).toBeGreaterThan(DEAD_LETTER_MAX_BYTES - 4_000); // as much of the head as fits
  });

  it('hashes a non-string input as its JSON', () => {
    const input = { records: 'y'.repeat(270_000) };
    const m = deadLetterMessage({ source: 'spotInterruption', kind: 'spot-interruption-warning', input, error }, NOW);
    expect(JSON.parse(m.body).input).toMatchObject({
      oversized: true,
      sha256: createHash('sha256').update(JSON.stringify(input)).digest('hex'),
    });
  });

  it('parks an oversized input in a queue that keeps the SQS default limit, and logs what was kept', async () => {
    const account = new SimulatedAccount();
    const url = account.sqs.createQueue('dlq', { MaximumMessageSize: String(DEAD_LETTER_MAX_BYTES) });
    const log = recordingLogger();
    const id = await deadLetter(
      { queues: new QueueAdapter(account.clients().sqs), queueName: 'dlq', log, clock: account.clock },
      { source: 'asgLifecycleDrain', kind: 'asg-drain-message', input: 'z'.repeat(400_000), error },
    );
    expect(id).toEqual(expect.any(String));
    const [parked] = account.sqs.pending(url);
    expect(JSON.parse(parked!.body)).toMatchObject({
      source: 'asgLifecycleDrain',
      kind: 'asg-drain-message',
      rejectedAt: new Date(account.clock.now()).toISOString(),
      input: { oversized: true, bytes: 400_000 },
    });
    expect(JSON.stringify(log)).toContain('oversizedBytes');
  });

  it('only logs when no queue is configured (sls invoke local)', async () => {
    const sent: unknown[] = [];
    const id = await deadLetter(
      {
        queues: { send: async (...a: unknown[]) => (sent.push(a), 'm') },
        queueName: undefined,
        log: recordingLogger(),
        clock: { now: () => NOW, sleep: async () => {} },
      },
      { source: 'spotInterruption', kind: 'spot-interruption-warning', input: {}, error },
    );
    expect([id, sent]).toEqual([undefined, []]);
  });
});
