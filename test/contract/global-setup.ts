import { createRunDir } from './shared-stacks';

/** jest globalSetup: the run directory the contract checks share their packaged stacks through (shared-stacks.ts). */
export default function globalSetup(): void {
  createRunDir();
}
