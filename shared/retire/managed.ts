import type { CallOptions } from '../aws/call';
import { ConfigError } from '../lambda/errors';
import type { BackendKind, RetireBackend } from './ports';

/**
 * Which backends we manage: the authority for "ours". CAPACITY_BACKENDS, when set, is the whole
 * list (tags cannot add one); otherwise the backends tagged `ecs-steady:cluster`. Capacity finds
 * them (its BackendDirectory satisfies this); retire and agentHealth only ask.
 */
export interface ManagedBackends {
  discover(named: ReadonlyMap<string, { kind: BackendKind; id: string }>, o?: CallOptions): Promise<Map<string, RetireBackend[]>>;
}

const KINDS: readonly BackendKind[] = ['asg', 'ec2Fleet', 'spotFleet'];

/** `cluster=asg:name` items; every bad item is named. */
export function parseBackends(raw: readonly string[]): Map<string, { kind: BackendKind; id: string }> {
  const out = new Map<string, { kind: BackendKind; id: string }>();
  const bad: string[] = [];
  for (const item of raw) {
    const m = /^([A-Za-z0-9_-]{1,255})=(asg|ec2Fleet|spotFleet):(\S+)$/.exec(item);
    if (!m) bad.push(`${JSON.stringify(item)} (expected cluster=${KINDS.join('|')}:id)`);
    else if (out.has(m[1]!)) bad.push(`${JSON.stringify(item)} (cluster ${m[1]} named twice)`);
    else out.set(m[1]!, { kind: m[2] as BackendKind, id: m[3]! });
  }
  if (bad.length > 0) throw new ConfigError(`invalid configuration: CAPACITY_BACKENDS: ${bad.join('; ')}`);
  return out;
}
