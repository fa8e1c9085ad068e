import type { OperationTable, SimService, SimulatedAccount } from './account';

/** Placeholder: the model for this service is being written. */
export class SimSns implements SimService {
  constructor(readonly account: SimulatedAccount) {}
  operations(): OperationTable {
    return {};
  }
}
