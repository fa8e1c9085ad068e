import { ContainerInstancesAdapter } from '../../shared/aws/ecs-container-instances';
import { SimulatedAccount } from '../../sim/account';
import { joinInstances, M5_LARGE } from '../../sim/builders-common';

/** How long the simulated account takes to answer one ListContainerInstances page. */
const PAGE_MS = 50;

/** A cluster of 250 container instances: three pages of ListContainerInstances at our page size of 100. */
function wideCluster() {
  const account = new SimulatedAccount();
  account.ecs.createCluster('wide');
  joinInstances(account, 'wide', 250, M5_LARGE, { lifecycle: 'on-demand' });
  account.faults.latencyByOperation['ListContainerInstances'] = PAGE_MS;
  return { account, adapter: new ContainerInstancesAdapter(account.clients().ecs) };
}

describe('paginated reads carry the caller abort signal to every page', () => {
  it('lists all 250 container instances in three pages when nothing aborts', async () => {
    const { account, adapter } = wideCluster();
    const arns = await adapter.listArns('wide', undefined, { signal: new AbortController().signal });
    expect(new Set(arns).size).toBe(250);
    expect(account.countCalls('ecs', 'ListContainerInstances')).toBe(3);
  });

  it('rejects with the abort and sends no further page once the caller aborts between pages', async () => {
    const { account, adapter } = wideCluster();
    const controller = new AbortController();
    // Aborted while the second page is on its way: that page is answered, the third is never sent.
    const start = account.clock.now();
    account.at(start + PAGE_MS * 1.5, () => controller.abort());
    await expect(adapter.listArns('wide', undefined, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(account.countCalls('ecs', 'ListContainerInstances')).toBe(2);
    expect(account.clock.now() - start).toBe(2 * PAGE_MS);
  });
});
