import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { TagResourceCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import fc from 'fast-check';
import {
  BACKOFF_TAG,
  CLUSTER_TAG,
  DEMAND_IN_FLIGHT_TAG,
  DO_NOT_DISRUPT_TAG,
  FALLBACK_TAG,
  LAST_SCALE_IN_TAG,
  LAST_SCALE_OUT_TAG,
  RETIRING_ATTRIBUTE,
  SCALE_IN_DRAINS_TAG,
  SCALE_IN_TAG,
} from '../../../shared/tags';
import { addForeignInstances } from '../../../sim/builders-capacity';
import { capacityCluster, capacityWorld, runningOf } from '../../support/capacity-world';

/**
 * Capacity under a third party holding tagging rights (ecs:TagResource on container instances,
 * autoscaling:CreateOrUpdateTags on groups) who writes our keys, with any value, at any minute, on
 * any instance of the cluster, on our ASG and on another team's ASG in the same cluster; an
 * operator may also set one of our instances DRAINING by hand. Whatever they write, an instance is
 * drained and removed only when the facts hold: our ASG holds it, retire marked it (an attribute
 * tagging rights cannot write), our record names it. Theirs and the operator's are never touched.
 *
 * The third party writes our scale-in record (SCALE_IN_DRAINS_TAG) on our own ASG too, and the
 * last release's scale-in tag on any instance: both are tags, so neither makes a DRAINING
 * instance ours to remove — only retire's mark (an ECS attribute) with our record does.
 */
const KEYS = [
  SCALE_IN_TAG,
  RETIRING_ATTRIBUTE,
  'ecs-steady:retiring',
  SCALE_IN_DRAINS_TAG,
  CLUSTER_TAG,
  FALLBACK_TAG,
  BACKOFF_TAG,
  LAST_SCALE_IN_TAG,
  LAST_SCALE_OUT_TAG,
  DEMAND_IN_FLIGHT_TAG,
  DO_NOT_DISRUPT_TAG,
];
const MINUTES = 8;

describe('capacity under third-party tags', () => {
  const scenario = fc.record({
    operatorDrain: fc.option(fc.record({ instance: fc.integer({ min: 0, max: 3 }), at: fc.integer({ min: 0, max: MINUTES - 1 }) }), {
      nil: undefined,
    }),
    /** A mark forged on the instance the operator drains (what a careless neighbour writes to get it "finished"). */
    forge: fc.option(
      fc.record({
        at: fc.integer({ min: 0, max: MINUTES - 1 }),
        key: fc.constantFrom(SCALE_IN_TAG, SCALE_IN_TAG, RETIRING_ATTRIBUTE, 'ecs-steady:retiring'),
        /** A time (long ago, now) or a value in the mark's own form. */
        value: fc.constantFrom(0, 1, 4),
      }),
      { nil: undefined },
    ),
    writes: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: MINUTES - 1 }),
        /** 0-5: the cluster's instances (4 ours, theirs, by hand); 6: our ASG; 7: their ASG; 8: the instance the operator drains. */
        target: fc.integer({ min: 0, max: 8 }),
        key: fc.constantFrom(...KEYS),
        value: fc.integer({ min: 0, max: 5 }),
      }),
      { maxLength: 10 },
    ),
  });

  it('drains and removes only instances our ASG holds and retire marked, never theirs, a hand-launched one or an operator’s drain', async () => {
    let scaledIn = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const { account, built } = capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 1 });
        const { foreign, byHand } = addForeignInstances(account, built.cluster);
        const ours = built.instances.map((i) => i.instanceId);
        const ids = [...ours, foreign.instanceId, byHand.instanceId];
        const theirs = ids.slice(4);
        // The operator's from the minute they set it DRAINING (before that it is ours to scale in like any other).
        let operator: string | undefined;
        const world = capacityWorld(account, { SCALE_IN_COOLDOWN_SECONDS: '0' });
        const clients = account.clients();
        const ci = (id: string) => account.ecs.containerInstancesOf(built.cluster).find((c) => c.ec2InstanceId === id);
        for (let minute = 0; minute < MINUTES; minute++) {
          const now = account.clock.now();
          const values = [
            '2020-01-01T00:00:00.000Z',
            new Date(now).toISOString(),
            built.cluster,
            [sc.operatorDrain ? ours[sc.operatorDrain.instance]! : ours[0]!, ...theirs].join(' '),
            `scale-in@${new Date(now - 3_600_000).toISOString()}`,
            'true',
          ];
          const handDrained = sc.operatorDrain?.at === minute ? ci(ours[sc.operatorDrain.instance]!) : undefined;
          if (handDrained?.status === 'ACTIVE') {
            operator = handDrained.ec2InstanceId;
            await clients.ecs.send(
              new UpdateContainerInstancesStateCommand({
                cluster: built.cluster,
                containerInstances: [handDrained.arn],
                status: 'DRAINING',
              }),
            );
          }
          // Written once the operator's drain is on (a mark on an ACTIVE instance is removed as stale).
          const forged = sc.forge && Math.max(sc.forge.at, sc.operatorDrain?.at ?? 0) === minute ? [{ ...sc.forge, target: 8 }] : [];
          for (const w of [...forged, ...sc.writes.filter((x) => x.at === minute)]) {
            const value = values[w.value]!;
            if (w.target <= 5 || w.target === 8) {
              const c = ci(w.target === 8 ? ours[sc.operatorDrain?.instance ?? 0]! : ids[w.target]!);
              const arn = c && c.status !== 'INACTIVE' ? c.arn : undefined;
              if (arn) await clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: w.key, value }] }));
            } else {
              const group = w.target === 6 ? built.backend.id : 'other-team';
              await clients.autoscaling.send(
                new CreateOrUpdateTagsCommand({
                  Tags: [{ ResourceId: group, ResourceType: 'auto-scaling-group', Key: w.key, Value: value, PropagateAtLaunch: false }],
                }),
              );
            }
          }
          // Our ASG's cluster tag rewritten: the cluster is not found and not reported (doing less is the safe side).
          const r = (await world.minute()).clusters.find((c) => c.cluster === built.cluster) ?? { steps: [], instanceToDrain: undefined };
          if (r.instanceToDrain) scaledIn++;
          // The facts, every minute: nothing of theirs and nothing of the operator's is named by a step that acts.
          const acted = r.steps.filter((s) => s.ec2InstanceId && !s.skipped && s.kind !== 'unmarkScaleIn');
          expect(acted.filter((s) => theirs.includes(s.ec2InstanceId!) || s.ec2InstanceId === operator)).toEqual([]);
        }
        for (const id of [...theirs, ...(operator ? [operator] : [])]) expect(account.ec2.instance(id)!.state).toBe('running');
        for (const id of theirs) expect(ci(id)!.status).toBe('ACTIVE');
        expect(account.autoscaling.groupState('other-team').instances.map((i) => i.instanceId)).toEqual([foreign.instanceId]);
        // Every instance left DRAINING is the operator's or one retire marked (an attribute only PutAttributes writes).
        for (const c of account.ecs.containerInstancesOf(built.cluster).filter((x) => x.status === 'DRAINING'))
          if (c.ec2InstanceId !== operator) expect(c.attributes?.get(RETIRING_ATTRIBUTE)).toMatch(/^scale-in@/);
        expect(account.ecs.killedByTermination()).toEqual([]);
        expect(runningOf(account, built.cluster, 'app')).toBe(4);
      }),
      { numRuns: 25, seed: 18 },
    );
    // The property saw scale-ins happen, not only a cluster held still by the writes.
    expect(scaledIn).toBeGreaterThan(0);
  }, 240_000);
});
