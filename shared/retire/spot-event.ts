/** The Spot interruption event as the drain parses it, for fleet's readers of the same event (see drain-config.ts). */
export { SPOT_NOTICE_MS, SPOT_INTERRUPTION_DETAIL_TYPE, spotInterruptionEvent } from '../drain/messages';
