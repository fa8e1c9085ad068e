// jest testSequencer: the test files that read the packaged stacks (test/contract/shared-stacks.ts)
// first, then jest's own order (failed, slowest, largest first). The first of them packages the
// stack (30 s and more of esbuild and osls): started first, it overlaps the other worker's tests
// instead of running alone at the end, as it would from a clean clone (no timings yet, and the
// file is small).
const Sequencer = require('@jest/test-sequencer').default;
const { readFileSync } = require('node:fs');

const readsStacks = (path) => /\bpackageStacks\(\)/.test(readFileSync(path, 'utf8'));

class StacksFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    return [...sorted.filter((t) => readsStacks(t.path)), ...sorted.filter((t) => !readsStacks(t.path))];
  }
}

module.exports = StacksFirst;
