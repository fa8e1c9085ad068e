import { CONSOLIDATION_TAG, parseScaleTickConfig, settingsFor } from '../../../shared/capacity/config';
import { ConfigError } from '../../../shared/lambda/errors';

describe('consolidation setting', () => {
  it('is on by default, and CONSOLIDATION=false turns it off', () => {
    expect(parseScaleTickConfig({}).defaults.consolidation).toBe(true);
    expect(parseScaleTickConfig({ CONSOLIDATION: 'false' }).defaults.consolidation).toBe(false);
    expect(parseScaleTickConfig({ CONSOLIDATION: 'true' }).defaults.consolidation).toBe(true);
  });

  it('names the variable and its value when it is neither true nor false', () => {
    const bad = () => parseScaleTickConfig({ CONSOLIDATION: 'sometimes', CAPACITY_MAX_STEP: 'many' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow('CONSOLIDATION="sometimes"');
    expect(bad).toThrow('CAPACITY_MAX_STEP="many"');
  });

  it('is overridden per backend by the ecs-steady:consolidation tag, and a bad tag is named with its value', () => {
    const on = parseScaleTickConfig({}).defaults;
    const off = parseScaleTickConfig({ CONSOLIDATION: 'false' }).defaults;
    expect(CONSOLIDATION_TAG).toBe('ecs-steady:consolidation');
    expect(settingsFor(on, { [CONSOLIDATION_TAG]: 'false' }).consolidation).toBe(false);
    expect(settingsFor(off, { [CONSOLIDATION_TAG]: ' true ' }).consolidation).toBe(true);
    expect(settingsFor(off, {}).consolidation).toBe(false);
    expect(() => settingsFor(on, { [CONSOLIDATION_TAG]: 'off', 'ecs-steady:max-step': '0' })).toThrow(
      /ecs-steady:max-step="0".*ecs-steady:consolidation="off": expected true or false/,
    );
  });
});
