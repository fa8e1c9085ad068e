/**
 * The drain's settings, for the slices that retire instances (capacity, fleet): they never import
 * shared/drain (test/contract/import-rules.test.ts), so the chain is capacity / fleet → retire → drain.
 * One small module per concern (config, report, Spot event) keeps each bundle to what it uses.
 */
export { drainEnv, parseDrainConfig, DEFAULT_HOOK_NAME, type DrainSettings, type RebalanceMode } from '../drain/config';
