import { AGENT_REPLACE_ATTRIBUTE, RETIRING_ATTRIBUTE, SCALE_IN_TAG } from '../tags';
import { RETIRE_REASONS, type RetireReason } from './request';

/** Our mark on an instance we are retiring, as read: where it came from (the one-release legacy marks say so). */
export interface RetiringMark {
  reason: RetireReason;
  at: number;
  from: 'mark' | 'legacy-scale-in-tag' | 'legacy-agent-replace';
}

/** The mark's value: `<reason>@<ISO time>` (ECS attribute values allow up to 128 characters). */
export function formatMark(reason: RetireReason, at: number): string {
  return `${reason}@${new Date(at).toISOString()}`;
}

const time = (v: string | undefined): number | undefined => {
  const t = v === undefined ? NaN : Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
};

/**
 * The retiring mark of one container instance, from its custom attributes (RETIRING_ATTRIBUTE)
 * or, for one release, the marks it replaced: the scale-in tag (anyone's to write: the caller
 * confirms it against our backend record, as before) and agentHealth's replace attribute. A value
 * that does not parse is no mark. Memory only: callers confirm it against our own record.
 */
export function readMark(attributes: Readonly<Record<string, string>>, tags: Readonly<Record<string, string>>): RetiringMark | undefined {
  const v = attributes[RETIRING_ATTRIBUTE];
  if (v !== undefined) {
    const at = v.indexOf('@');
    const reason = v.slice(0, at) as RetireReason;
    const t = time(v.slice(at + 1));
    if (at > 0 && RETIRE_REASONS.includes(reason) && t !== undefined) return { reason, at: t, from: 'mark' };
  }
  const replace = time(attributes[AGENT_REPLACE_ATTRIBUTE]);
  if (replace !== undefined) return { reason: 'agent-unhealthy', at: replace, from: 'legacy-agent-replace' };
  const scaleIn = time(tags[SCALE_IN_TAG]);
  if (scaleIn !== undefined) return { reason: 'scale-in', at: scaleIn, from: 'legacy-scale-in-tag' };
  return undefined;
}

/** Whether any retiring mark key (current or legacy) is present, parsed or not: something to clean up. */
export function hasMarkKey(attributes: Readonly<Record<string, string>>, tags: Readonly<Record<string, string>>): boolean {
  return (
    attributes[RETIRING_ATTRIBUTE] !== undefined || attributes[AGENT_REPLACE_ATTRIBUTE] !== undefined || tags[SCALE_IN_TAG] !== undefined
  );
}
