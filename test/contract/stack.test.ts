import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipEntries } from './package-stack';
import { describeAlarms } from './stack-alarms';
import { describeCapacity } from './stack-capacity';
import { describeCapacityWriter } from './stack-capacity-writer';
import { describeDelivery } from './stack-delivery';
import { describeFleet } from './stack-fleet';
import { describeIam } from './stack-iam';
import { describeOwnership } from './stack-ownership';
import { describeSwitches } from './stack-switches';
import { operator, packageStacks } from './stack-template';

/**
 * The packaged CloudFormation template, read as an operator would: `sls package` offline for
 * the defaults (dev) and for an operator's prod config, then every function's role is checked
 * against the calls its own bundle can send (derived from the code, not listed here), and the
 * delivery, alarm and bundle promises of README "Security" and "Operating" are checked.
 */

// Packaged once per jest run for every check (shared-stacks.ts); the checks live by concern in stack-iam.ts, stack-delivery.ts, stack-alarms.ts, stack-capacity.ts, stack-fleet.ts and stack-ownership.ts.
packageStacks();

describeIam();
describeDelivery();
describeAlarms();
describeCapacity();
describeCapacityWriter();
describeFleet();
describeOwnership();
describeSwitches();

// ---- bundles --------------------------------------------------------------------------------

// The operator's stack has every function (the bare one's zips are the same bundles).
describe('lean bundles', () => {
  /**
   * A deployment zip's budget (module init grows with it: bench/REPORT.md). 425 KB since the
   * capacity writer carries every capacity write, retire and the launch-failure reads: its EC2
   * client's schemas alone are ~565 KB of minified code (404 KB zipped when raised from 400 KB).
   */
  const ZIP_MAX_BYTES = 425_000;

  it('ships one minified handler per zip, no source map or metafile, under 425 KB', () => {
    for (const [fn, zip] of Object.entries(operator.zips)) {
      const buffer = readFileSync(zip);
      const names = zipEntries(buffer).map((e) => e.name);
      expect([fn, names]).toEqual([fn, [`${operator.entries[fn]}.js`]]);
      expect([fn, buffer.length <= ZIP_MAX_BYTES]).toEqual([fn, true]);
    }
  });

  it('keeps each source map as a build artifact next to the bundle', () => {
    for (const entry of Object.values(operator.entries)) expect(existsSync(join(operator.buildDir, `${entry}.js.map`))).toBe(true);
  });

  it('each bundle loads in a fresh Node.js process and exports its handler', () => {
    for (const [fn, entry] of Object.entries(operator.entries)) {
      const out = execFileSync(
        process.execPath,
        ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(operator.buildDir, `${entry}.js`))}).handler)`],
        {
          encoding: 'utf8',
          env: { ...process.env, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        },
      );
      expect([fn, out]).toEqual([fn, 'function']);
    }
  });
});
