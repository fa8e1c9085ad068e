import type { CallOptions } from '../../aws/call';
import { runChecks } from './plan';
import type { PreflightReadPorts } from './ports';
import { readPreflightSnapshot } from './snapshot';
import { formatTable } from './table';
import type { Finding, PreflightSettings } from './types';

export interface PreflightResult {
  findings: Finding[];
  table: string;
  /** Clusters checked (names). */
  clusters: string[];
}

/** Read, check, render. Never throws on AWS errors: a failed read is a `read` finding. */
export async function runPreflight(
  ports: PreflightReadPorts,
  scope: { clusters: readonly string[]; settings: PreflightSettings },
  o?: CallOptions,
): Promise<PreflightResult> {
  const snapshot = await readPreflightSnapshot(ports, scope, o);
  const findings = runChecks(snapshot, scope.settings);
  return { findings, table: formatTable(findings), clusters: snapshot.clusters.map((c) => c.name) };
}
