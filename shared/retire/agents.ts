/**
 * Which tasks are part of the instance (DAEMON tasks, per-instance agents), for capacity: it never
 * imports shared/drain (test/contract/import-rules.test.ts), so it reads the drain's rule through
 * retire, as it does the drain's settings (drain-config.ts).
 */
export { familyOf, isAgentTask } from '../drain/agents';
