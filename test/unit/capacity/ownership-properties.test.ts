import fc from 'fast-check';
import { planCapacity } from '../../../shared/capacity/plan';
import { arbAnyWorld, arbQuietWorld } from './world';

/** Any world, with any of its instances held by no backend of ours and any DRAINING one looking drained by us or not. */
const arbSharedWorld = fc
  .tuple(
    fc.oneof(arbAnyWorld, arbQuietWorld),
    fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
  )
  .map(([w, foreign, ours]) => ({
    ...w,
    snap: {
      ...w.snap,
      instances: w.snap.instances.map((i, k) => ({
        ...i,
        ...(foreign[k % 64] ? { notOwned: true } : {}),
        ...(i.status === 'DRAINING' ? { drainedForScaleIn: ours[k % 64]! } : {}),
      })),
    },
  }));

describe('planCapacity: only ours', () => {
  it('never chooses, nor removes, an instance no backend of ours holds or that our record does not name', () => {
    fc.assert(
      fc.property(arbSharedWorld, (w) => {
        const d = planCapacity(w.snap, w.settings, w.now);
        const byId = new Map(w.snap.instances.map((i) => [i.ec2InstanceId, i]));
        if (d.instanceToDrain) expect(byId.get(d.instanceToDrain)).toMatchObject({ status: 'ACTIVE' });
        if (d.instanceToDrain) expect(byId.get(d.instanceToDrain)!.notOwned).toBeUndefined();
        for (const id of d.instancesToRemove ?? []) {
          expect(byId.get(id)).toMatchObject({ status: 'DRAINING', drainedForScaleIn: true });
          expect(byId.get(id)!.notOwned).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});
