import type { RunTaskOverrides } from '../run-task-overrides';

/** One RunTask that could not place some tasks, as a capacity request, whichever launcher reported it. */
export interface TaskShortfall {
  cluster: string;
  /** The cluster as the result names it (a name, or an ARN naming its region and account); `cluster` when absent. */
  clusterRef?: string;
  /** The task definition RunTask was given (sized with DescribeTaskDefinition), or a label when `size` is given. */
  taskDefinition: string;
  /** What one task reserves, when the launcher says so itself (no task definition to describe). */
  size?: { cpu: number; memory: number };
  /** Tasks that did not start. */
  count: number;
  overrides?: RunTaskOverrides;
  at: number;
  /**
   * The result's identity: only the same id is a duplicate. A launcher that re-sends the same
   * shortfall until it fits names the task (not the message), so a re-send is that duplicate.
   */
  resultId?: string;
  /** Does more capacity answer it, and why (or why not). */
  addCapacity: boolean;
  reason: string;
  /** The format it came in (launchers/index.ts). */
  launcher?: string;
}

/** What a format's parser knows besides the message: the SNS envelope's id and time, or the SQS record's sent time. */
export interface ReceivedAs {
  snsMessageId?: string;
  /** When the message was published (SNS Timestamp) or sent to the queue (SQS SentTimestamp), epoch ms. */
  sentAt?: number;
}

/**
 * One job launcher's message format: `claims` says whether a message is meant to be in this
 * format (a key only it uses), `parse` validates it and answers the shortfall, throwing
 * EventValidationError naming each bad field. A new launcher is one more file like v1.ts.
 */
export interface LauncherFormat {
  name: string;
  /** The fields it needs, for the error that names every format when none claims a message. */
  describe: string;
  claims(message: unknown): boolean;
  parse(message: unknown, received: ReceivedAs): TaskShortfall;
}

export const clusterName = (ref: string) => (ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref);

export const hasKey = (message: unknown, key: string): boolean => !!message && typeof message === 'object' && key in message;
