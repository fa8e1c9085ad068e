// Tests never reach AWS: no region or credentials from the machine, quiet logs.
process.env.AWS_REGION = 'eu-west-1';
process.env.POWERTOOLS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_DEV = 'true';
// The SDK's own switch for exactly one warning: "NodeVersionSupportWarning" (releases from January
// 2027 need Node >= 22) on Node 20. Lambda runs nodejs22.x; `npm run test:node22` runs these tests
// there. Every other warning still prints.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
delete process.env.AWS_ENDPOINT_URL;
delete process.env.AWS_PROFILE;
// The `tracing` param's switch: off unless a test turns it on (the Tracer would send to an X-Ray daemon).
delete process.env.POWERTOOLS_TRACE_ENABLED;
