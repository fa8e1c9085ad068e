import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** What ships in a Lambda zip: the handlers and everything in shared/. */
const shipped = [...sources(join(ROOT, 'functions')), ...sources(join(ROOT, 'shared'))].map((p) => ({
  file: relative(ROOT, p),
  text: readFileSync(p, 'utf8'),
}));

describe('what ships in a Lambda zip', () => {
  it('never imports the simulator, the tests or the test-only mocking library', () => {
    const leaks = shipped
      .filter(({ text }) => /from ['"](\.\.\/)+(sim|test|bench|scripts)\/|aws-sdk-client-mock/.test(text))
      .map((f) => f.file);
    expect(leaks).toEqual([]);
  });

  it('imports zod as a namespace: `import { z }` keeps every zod locale in the bundle (454 kB instead of 85 kB)', () => {
    const named = shipped.filter(({ text }) => /import \{[^}]*\bz\b[^}]*\} from 'zod'/.test(text)).map((f) => f.file);
    expect(named).toEqual([]);
  });

  it('builds AWS clients only through makeClients (so each zip holds only the clients its handler names)', () => {
    const direct = shipped
      .filter(
        ({ file, text }) =>
          !file.startsWith('functions/') && /new (ECS|EC2|ElasticLoadBalancingV2|AutoScaling|SQS|SNS|Glue|Athena)Client\(/.test(text),
      )
      .map((f) => f.file);
    expect(direct).toEqual([]);
  });
});
