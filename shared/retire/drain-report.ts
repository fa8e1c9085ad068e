/** The drain's report and its metrics, for the slices that retire instances (see drain-config.ts). */
export { emitDrainMetrics, type DrainReport } from '../drain/report';
