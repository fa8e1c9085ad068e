import type { DrainSettings } from './config';
import type { DrainReport } from './report';
import { runDrain, type DrainDeps, type DrainRequest } from './run';
import { isWave, waveLeadMs } from './wave-plan';
import { wavePorts } from './wave-ports';

/**
 * How often a waiting drain of a wave looks at its stop lead again: the share behind the lead
 * is read every 15 s, and a drain asleep until a force time set by an older, higher share
 * would start its stops too late. A look with nothing due sends no call.
 */
const RETIME_EVERY_MS = 2_000;

/** One drain of a wave: its report, or why it could not produce one (a bug, not AWS). */
export type WaveResult = { request: DrainRequest; report: DrainReport } | { request: DrainRequest; error: unknown };

/**
 * Drain instances that arrived together as one wave: each keeps its own drain (its plan, its
 * state, its report: every single-drain guarantee holds), and all of them talk to AWS through
 * one set of wave ports, so what they ask at the same moment is one call (wave-ports.ts). The
 * wave's stop backlog moves every drain's force time earlier by the time its StopTasks need
 * at the paced rate, so the last one is sent before the force time. Concurrent waves never
 * double the work: each drain decides from what AWS says (DRAINING, targets already
 * draining, tasks already stopped), as a single drain does.
 */
export async function runWave(
  deps: DrainDeps,
  settings: DrainSettings & { clusters: readonly string[] },
  requests: readonly DrainRequest[],
): Promise<WaveResult[]> {
  const pending = new Map<number, number>();
  const stopsPending = () => [...pending.values()].reduce((a, b) => a + b, 0);
  const wave = isWave(requests.length) ? wavePorts(deps.ports, deps.clock, settings.clusters, stopsPending) : undefined;
  const ports = wave ?? deps.ports;
  const lead = () => waveLeadMs(pending.values(), wave?.share());
  const results = Promise.all(
    requests.map(async (request, i): Promise<WaveResult> => {
      try {
        const report = await runDrain(
          {
            ...deps,
            ports,
            stopLeadMs: lead,
            onPendingStops: (n) => pending.set(i, n),
            ...(wave ? { retimeEveryMs: RETIME_EVERY_MS } : {}),
          },
          settings,
          request,
        );
        return { request, report };
      } catch (error) {
        return { request, error };
      } finally {
        pending.delete(i);
      }
    }),
  );
  try {
    return await results;
  } finally {
    wave?.close();
  }
}
