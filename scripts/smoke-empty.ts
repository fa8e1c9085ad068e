/**
 * The smoke's second account: empty (no cluster, no volume, no queue), as a first deploy into a
 * fresh account meets it. Functions that run on a schedule must answer a report there, not throw.
 */
import { SimulatedAccount } from '../sim/account';
import { createSimServer, listen } from '../sim/http/server';
import { invokeLocal, parseAnswer, prepareEvent } from './invoke';

type Answer = Record<string, unknown>;

/** Function → sample → what its answer must say on an empty account (undefined = fine). */
const EMPTY_ACCOUNT_CASES: Array<{ fn: string; sample: string; check: (a: Answer) => string | undefined }> = [
  {
    fn: 'logVolumes',
    sample: 'log-volumes-scheduled.json',
    check: (a) => (a.outcome === 'done' && a.seen === 0 ? undefined : `expected outcome done, seen 0: ${JSON.stringify(a).slice(0, 300)}`),
  },
];

/** Runs each case against a fresh empty account; answers one result per case. */
export async function runEmptyAccountCases(baseEnv: NodeJS.ProcessEnv, params: string[], timeoutMs: number): Promise<boolean[]> {
  const account = new SimulatedAccount({ start: Date.now() });
  const timer = setInterval(() => account.clock.set(Math.max(account.clock.now(), Date.now())), 250);
  timer.unref();
  const server = createSimServer(account);
  const port = await listen(server, 0);
  const env = { ...baseEnv, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` };
  const results: boolean[] = [];
  try {
    for (const k of EMPTY_ACCOUNT_CASES) {
      const started = Date.now();
      const { event } = prepareEvent(k.fn, k.sample);
      const out = await invokeLocal(k.fn, event, params, { env, timeoutMs });
      let why: string | undefined;
      try {
        const a = parseAnswer(out.stdout) as Answer;
        why = a.errorType ? `${String(a.errorType)}: ${String(a.errorMessage)}` : k.check(a);
      } catch {
        why = `no answer (exit ${out.code}): ${(out.stderr + out.stdout).trim().split('\n').slice(-3).join(' | ')}`;
      }
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`${why ? 'FAIL' : 'ok  '} ${k.fn} ${k.sample} on an empty account (${secs} s)${why ? `: ${why}` : ''}`);
      results.push(!why);
    }
  } finally {
    clearInterval(timer);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return results;
}
