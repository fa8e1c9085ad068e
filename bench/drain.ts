import type { Section } from './harness';

/**
 * Benchmarks of the drain functions (spotInterruption, asgLifecycleDrain): to be written.
 *
 * Contract with `run.ts`: resolve to one `Section` — `{ title, body }`, where `body` is a list
 * of markdown strings and `Table`s (`{ columns, rows }`), rendered in order under `## title`.
 * To measure, build `Scenario`s (untimed `setup`, timed `run`, exact `counters`) and pass them
 * to `measure` from `./harness`; `timingTable` and `countersTable` turn the results into
 * tables, and `callCounts(account, from)` counts simulated API calls by operation.
 * `options.runs` is 1 under `--quick`, else 5.
 */
export async function drainBenchmarks(_options: { runs: number; quick: boolean; progress: (line: string) => void } = { runs: 5, quick: false, progress: () => {} }): Promise<Section> {
  return { title: 'Drain functions', body: ['drain benchmarks: see below'] };
}
