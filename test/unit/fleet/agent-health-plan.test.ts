import fc from 'fast-check';
import type { AgentHealthSettings } from '../../../shared/fleet/agent-health/config';
import { BOOKKEEPING_STEPS, planAgentHealth, type AgentVerdict, type ClusterHealthRead } from '../../../shared/fleet/agent-health/plan';
import type { AgentInstance } from '../../../shared/fleet/agent-health/ports';
import { AGENT_REPLACE_ATTRIBUTE, DISCONNECTED_SINCE_ATTRIBUTE } from '../../../shared/tags';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MIN = 60_000;
const SETTINGS: AgentHealthSettings = { disconnectedMs: 10 * MIN, breakerPercent: 30, maxReplacePerRun: 1, drainMaxMs: 10 * MIN };
const iso = (t: number) => new Date(t).toISOString();

/** `records`: our own records (custom attributes); `tags`: anyone's tags. */
function inst(
  id: string,
  o: { connected?: boolean; status?: string; records?: Record<string, string>; tags?: Record<string, string> } = {},
): AgentInstance {
  return {
    containerInstanceArn: `arn:aws:ecs:eu-west-1:123456789012:container-instance/c/${id}`,
    ec2InstanceId: id,
    status: o.status ?? 'ACTIVE',
    agentConnected: o.connected ?? true,
    tags: o.tags ?? {},
    attributes: o.records ?? {},
  };
}
const since = (minutesAgo: number) => ({ [DISCONNECTED_SINCE_ATTRIBUTE]: iso(NOW - minutesAgo * MIN) });

function read(instances: AgentInstance[], o: { notOurs?: string[]; leaving?: string[]; unread?: string[] } = {}): ClusterHealthRead {
  const owners = new Map(
    instances
      .filter((i) => !o.notOurs?.includes(i.ec2InstanceId))
      .map((i) => [
        i.ec2InstanceId,
        { kind: 'asg' as const, id: 'ecs-c', state: o.leaving?.includes(i.ec2InstanceId) ? 'leaving' : 'in-service' } as const,
      ]),
  );
  return { cluster: 'c', instances, owners, unreadBackends: o.unread ?? [] };
}

const healthy = (n: number) => Array.from({ length: n }, (_, k) => inst(`i-0healthy${k}`));

interface Row {
  name: string;
  read: ClusterHealthRead;
  settings?: Partial<AgentHealthSettings>;
  hints?: Map<string, number>;
  verdicts: Array<[string, AgentVerdict]>;
  steps: string[];
}

const ROWS: Row[] = [
  { name: 'a healthy cluster: nothing', read: read(healthy(4)), verdicts: [], steps: [] },
  {
    name: 'first sight of a disconnect: marked now, waiting',
    read: read([inst('i-0a', { connected: false }), ...healthy(3)]),
    verdicts: [['i-0a', 'waiting']],
    steps: ['markDisconnected i-0a'],
  },
  {
    name: 'first sight after a late event (11 min old, retried): marked now, not at the event time, waiting',
    read: read([inst('i-0a', { connected: false }), ...healthy(3)]),
    hints: new Map([['i-0a', NOW - 11 * MIN]]),
    verdicts: [['i-0a', 'waiting']],
    steps: ['markDisconnected i-0a'],
  },
  {
    name: 'first sight after a fresh event (30 s old): marked at the event time, past a 20 s threshold ⇒ replaced',
    read: read([inst('i-0a', { connected: false }), ...healthy(3)]),
    settings: { disconnectedMs: 20_000 },
    hints: new Map([['i-0a', NOW - 30_000]]),
    verdicts: [['i-0a', 'replace']],
    steps: ['markDisconnected i-0a', 'markReplace i-0a', 'retire i-0a'],
  },
  {
    name: 'disconnected for 9 of 10 minutes: waiting, no new mark',
    read: read([inst('i-0a', { connected: false, records: since(9) }), ...healthy(3)]),
    verdicts: [['i-0a', 'waiting']],
    steps: [],
  },
  {
    name: 'the agent came back: the mark is removed',
    read: read([inst('i-0a', { records: since(3) }), ...healthy(3)]),
    verdicts: [['i-0a', 'reconnected']],
    steps: ['clearDisconnected i-0a'],
  },
  {
    name: 'disconnected for 10 minutes: marked, drained, replaced',
    read: read([inst('i-0a', { connected: false, records: since(10) }), ...healthy(3)]),
    verdicts: [['i-0a', 'replace']],
    steps: ['markReplace i-0a', 'retire i-0a'],
  },
  {
    name: 'two overdue, limit one per run: the longest-disconnected first, the other later',
    read: read([
      inst('i-0a', { connected: false, records: since(12) }),
      inst('i-0b', { connected: false, records: since(20) }),
      ...healthy(6),
    ]),
    verdicts: [
      ['i-0b', 'replace'],
      ['i-0a', 'over-limit'],
    ],
    steps: ['markReplace i-0b', 'retire i-0b'],
  },
  {
    name: "a replacement begun earlier is resumed and takes the run's budget",
    read: read([
      inst('i-0r', { connected: false, status: 'DRAINING', records: { ...since(30), [AGENT_REPLACE_ATTRIBUTE]: iso(NOW - 5 * MIN) } }),
      inst('i-0a', { connected: false, records: since(15) }),
      ...healthy(6),
    ]),
    verdicts: [
      ['i-0r', 'resume'],
      ['i-0a', 'over-limit'],
    ],
    steps: ['retire i-0r'],
  },
  {
    name: 'a tag alone is no record: agent-replace and disconnected-since tags on a healthy instance change nothing',
    read: read([
      inst('i-0a', { tags: { 'ecs-steady:agent-replace': iso(NOW - 5 * MIN), 'ecs-steady:disconnected-since': iso(NOW - 60 * MIN) } }),
      ...healthy(3),
    ]),
    verdicts: [],
    steps: [],
  },
  {
    name: 'DRAINING with an agent-replace tag but no record of ours: not our drain, skipped',
    read: read([
      inst('i-0a', { connected: false, status: 'DRAINING', records: since(30), tags: { 'ecs-steady:agent-replace': iso(NOW - 5 * MIN) } }),
      ...healthy(6),
    ]),
    verdicts: [['i-0a', 'skipped']],
    steps: [],
  },
  {
    name: 'our replace record on an ACTIVE instance whose agent is back (back before the drain began): record removed, nothing drained',
    read: read([inst('i-0a', { records: { [AGENT_REPLACE_ATTRIBUTE]: iso(NOW - 5 * MIN) } }), ...healthy(3)]),
    verdicts: [['i-0a', 'reconnected']],
    steps: ['clearReplace i-0a'],
  },
  {
    name: 'half the cluster disconnected: breaker open, nothing drained or replaced, marks restart at now',
    read: read([inst('i-0a', { connected: false, records: since(15) }), inst('i-0b', { connected: false }), ...healthy(2)]),
    verdicts: [
      ['i-0a', 'held-by-breaker'],
      ['i-0b', 'held-by-breaker'],
    ],
    steps: ['markDisconnected i-0a', 'markDisconnected i-0b'],
  },
  {
    name: 'one disconnected in a cluster of two is a bad host, not an event',
    read: read([inst('i-0a', { connected: false, records: since(15) }), ...healthy(1)]),
    verdicts: [['i-0a', 'replace']],
    steps: ['markReplace i-0a', 'retire i-0a'],
  },
  {
    name: 'DRAINING for another reason (a Spot notice): skipped',
    read: read([inst('i-0a', { connected: false, status: 'DRAINING', records: since(15) }), ...healthy(3)]),
    verdicts: [['i-0a', 'skipped']],
    steps: [],
  },
  {
    name: 'marked for scale-in: left to scaleTick',
    read: read([inst('i-0a', { connected: false, records: since(15), tags: { 'ecs-steady:scale-in': iso(NOW) } }), ...healthy(3)]),
    verdicts: [['i-0a', 'skipped']],
    steps: [],
  },
  {
    name: 'tagged do-not-disrupt: skipped',
    read: read([inst('i-0a', { connected: false, records: since(15), tags: { 'ecs-steady:do-not-disrupt': 'true' } }), ...healthy(3)]),
    verdicts: [['i-0a', 'skipped']],
    steps: [],
  },
  {
    name: 'already leaving its backend: skipped',
    read: read([inst('i-0a', { connected: false, records: since(15) }), ...healthy(3)], { leaving: ['i-0a'] }),
    verdicts: [['i-0a', 'skipped']],
    steps: [],
  },
  {
    name: 'launched by no backend of ours: reported, not touched',
    read: read([inst('i-0a', { connected: false, records: since(15) }), ...healthy(3)], { notOurs: ['i-0a'] }),
    verdicts: [['i-0a', 'not-ours']],
    steps: [],
  },
  {
    name: 'not found in the backends read while one backend could not be read: skipped, not called foreign',
    read: read([inst('i-0a', { connected: false, records: since(15) }), ...healthy(3)], { notOurs: ['i-0a'], unread: ['spotFleet sfr-1'] }),
    verdicts: [['i-0a', 'skipped']],
    steps: [],
  },
];

describe('planAgentHealth', () => {
  it.each(ROWS)('$name', (row) => {
    const plan = planAgentHealth(row.read, { ...SETTINGS, ...row.settings }, NOW, row.hints);
    expect(plan.instances.map((v) => [v.ec2InstanceId, v.verdict])).toEqual(row.verdicts);
    expect(plan.steps.map((s) => `${s.kind} ${s.ec2InstanceId}`)).toEqual(row.steps);
    expect(plan.reasons.length).toBeGreaterThanOrEqual(plan.instances.length);
  });

  it('the first run after the breaker closes replaces nothing as overdue: the time under the outage did not count', () => {
    const open = read([
      inst('i-0a', { connected: false, records: since(15) }),
      inst('i-0b', { connected: false, records: since(15) }),
      ...healthy(2),
    ]);
    const during = planAgentHealth(open, SETTINGS, NOW);
    expect(during.breaker).toBeDefined();
    const marked = (id: string) => {
      const step = during.steps.find((s) => s.kind === 'markDisconnected' && s.ec2InstanceId === id);
      return { [DISCONNECTED_SINCE_ATTRIBUTE]: iso(step && step.kind === 'markDisconnected' ? step.since : NOW - 15 * MIN) };
    };
    const closed = read([inst('i-0a', { connected: false, records: marked('i-0a') }), inst('i-0b'), ...healthy(2)]);
    const after = planAgentHealth(closed, SETTINGS, NOW + 5 * MIN);
    expect(after.breaker).toBeUndefined();
    expect(after.instances.map((v) => [v.ec2InstanceId, v.verdict, v.disconnectedSeconds])).toEqual([['i-0a', 'waiting', 300]]);
    expect(after.steps).toEqual([]);
  });

  it('a new drain is bounded by the configured time from now; a resumed one from when it began', () => {
    const plan = planAgentHealth(
      read([
        inst('i-0r', { connected: false, status: 'DRAINING', records: { [AGENT_REPLACE_ATTRIBUTE]: iso(NOW - 4 * MIN) } }),
        inst('i-0a', { connected: false, records: since(15) }),
        ...healthy(8),
      ]),
      { ...SETTINGS, maxReplacePerRun: 2 },
      NOW,
    );
    const requests = plan.steps.flatMap((s) => (s.kind === 'retire' ? [s.request] : []));
    const arn = (id: string) => `arn:aws:ecs:eu-west-1:123456789012:container-instance/c/${id}`;
    const common = { cluster: 'c', reason: 'agent-unhealthy', then: 'replace', backend: { kind: 'asg', id: 'ecs-c' } };
    expect(requests).toEqual([
      {
        ...common,
        ec2InstanceId: 'i-0r',
        containerInstanceArn: arn('i-0r'),
        startedAt: NOW - 4 * MIN,
        deadline: NOW + 6 * MIN,
        resumed: true,
      },
      { ...common, ec2InstanceId: 'i-0a', containerInstanceArn: arn('i-0a'), startedAt: NOW, deadline: NOW + 10 * MIN },
    ]);
  });
});

describe('planAgentHealth invariants', () => {
  const instanceArb = fc.record({
    connected: fc.boolean(),
    status: fc.constantFrom('ACTIVE', 'ACTIVE', 'DRAINING'),
    minutesAgo: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    replacing: fc.boolean(),
  });
  const clusterArb = fc.tuple(
    fc.array(instanceArb, { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 1, max: 100 }),
    fc.integer({ min: 1, max: 5 }),
  );
  const build = (xs: Array<{ connected: boolean; status: string; minutesAgo?: number; replacing: boolean }>) =>
    read(
      xs.map((x, k) =>
        inst(`i-0p${k}`, {
          connected: x.connected,
          status: x.status,
          records: {
            ...(x.minutesAgo !== undefined ? since(x.minutesAgo) : {}),
            ...(x.replacing ? { [AGENT_REPLACE_ATTRIBUTE]: iso(NOW - MIN) } : {}),
          },
        }),
      ),
    );

  it('never drains more than the per-run limit, never acts while the breaker is open, never replaces a connected instance it did not start on', () => {
    fc.assert(
      fc.property(clusterArb, ([xs, breakerPercent, maxReplacePerRun]) => {
        const r = build(xs);
        const plan = planAgentHealth(r, { ...SETTINGS, breakerPercent, maxReplacePerRun }, NOW);
        const drains = plan.steps.filter((s) => s.kind === 'retire');
        expect(drains.length).toBeLessThanOrEqual(
          Math.max(maxReplacePerRun, r.instances.filter((i) => i.attributes[AGENT_REPLACE_ATTRIBUTE]).length),
        );
        if (plan.breaker) expect(plan.steps.every((s) => BOOKKEEPING_STEPS.has(s.kind))).toBe(true);
        for (const s of plan.steps.filter((x) => x.kind === 'markReplace')) {
          const i = r.instances.find((x) => x.ec2InstanceId === s.ec2InstanceId)!;
          expect(i.agentConnected).toBe(false);
          expect(NOW - Date.parse(i.attributes[DISCONNECTED_SINCE_ATTRIBUTE]!)).toBeGreaterThanOrEqual(SETTINGS.disconnectedMs);
        }
      }),
    );
  });

  it('re-planning after the marks are written asks for no further mark', () => {
    fc.assert(
      fc.property(clusterArb, ([xs, breakerPercent]) => {
        const r = build(xs);
        const plan = planAgentHealth(r, { ...SETTINGS, breakerPercent }, NOW);
        const applied = r.instances.map((i) => {
          const tags = { ...i.attributes };
          for (const s of plan.steps) {
            if (s.ec2InstanceId !== i.ec2InstanceId) continue;
            if (s.kind === 'markDisconnected') tags[DISCONNECTED_SINCE_ATTRIBUTE] = iso(s.since);
            if (s.kind === 'clearDisconnected') delete tags[DISCONNECTED_SINCE_ATTRIBUTE];
          }
          return { ...i, attributes: tags };
        });
        const again = planAgentHealth({ ...r, instances: applied }, { ...SETTINGS, breakerPercent }, NOW);
        expect(again.steps.filter((s) => s.kind === 'markDisconnected' || s.kind === 'clearDisconnected')).toEqual([]);
      }),
    );
  });
});
