// Tests never reach AWS: no region or credentials from the machine, quiet logs.
process.env.AWS_REGION = 'eu-west-1';
process.env.POWERTOOLS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_DEV = 'true';
delete process.env.AWS_ENDPOINT_URL;
delete process.env.AWS_PROFILE;
