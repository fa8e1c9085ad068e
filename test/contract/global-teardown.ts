import { removeRunDir } from './shared-stacks';

/** jest globalTeardown: every stack packaged in this run, removed at once (shared-stacks.ts). */
export default function globalTeardown(): void {
  removeRunDir();
}
