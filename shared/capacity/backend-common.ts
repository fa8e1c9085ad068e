import { BACKOFF_TAG, LAST_SCALE_IN_TAG, LAST_SCALE_OUT_TAG } from '../tags';
import type { AwsClients } from '../aws/clients';
import type { BackendAction, BackendKind } from './ports';

/** The clients every capacity backend and the directory need. */
export type BackendClients = Pick<AwsClients, 'autoscaling' | 'ec2'>;

/**
 * The backend is gone: AWS answered without it (an ASG name it does not know, a fleet deleted or
 * no longer answered). Thrown by `describe` (the contract: "a backend that no longer exists throws").
 */
export class BackendGoneError extends Error {
  constructor(
    readonly kind: BackendKind,
    readonly id: string,
    detail = 'not found',
  ) {
    super(`${kind} ${id}: ${detail}`);
    this.name = 'BackendGoneError';
  }
}

/** The tag recordAction writes, and its value (ISO 8601, as ports.ts says). */
export function lastActionTag(kind: BackendAction, at: number): [key: string, value: string] {
  const key = kind === 'scale-out' ? LAST_SCALE_OUT_TAG : kind === 'scale-in' ? LAST_SCALE_IN_TAG : BACKOFF_TAG;
  return [key, new Date(at).toISOString()];
}

/** One entry per instance type, the first weight given winning (AWS lists overrides per subnet / AZ too). */
export function uniqueShapes(shapes: Array<{ instanceType: string; weight: number }>): Array<{ instanceType: string; weight: number }> {
  const seen = new Map<string, number>();
  for (const s of shapes) if (!seen.has(s.instanceType)) seen.set(s.instanceType, s.weight);
  return [...seen].map(([instanceType, weight]) => ({ instanceType, weight }));
}
