/**
 * What the slices that retire instances (capacity, fleet) need of the drain's configuration and
 * report, through retire: they never import shared/drain (test/contract/import-rules.test.ts), so
 * the chain is capacity / fleet → retire → drain. Types and parsers only; the drain runs in retire.
 */
export { drainEnv, parseDrainConfig, DEFAULT_HOOK_NAME, type DrainSettings } from '../drain/config';
export { SPOT_NOTICE_MS, SPOT_INTERRUPTION_DETAIL_TYPE, spotInterruptionEvent } from '../drain/messages';
export { emitDrainMetrics, type DrainReport } from '../drain/report';
