import type { CallOptions, Transport } from './http';

export interface ContractInput {
  name: string;
  includeTags?: string[];
  excludeTags?: string[];
  /** Hide types the contract's API no longer reaches (default true). */
  removeUnreachableTypes?: boolean;
}

export interface Contract {
  name: string;
  includeTags: string[];
  excludeTags: string[];
  removeUnreachableTypes: boolean;
  createdAt: string;
  /** The target version its newest supergraph was composed from; null before the first publish. */
  version: number | null;
  hash: string | null;
}

/**
 * Schema contracts of the client's target (schema-registry/api/contracts.ts); a contract's
 * supergraph is `supergraph({ contract })`. A contract that does not compose is a RegistryError
 * 409 CONTRACT_COMPOSITION_FAILED with `details.errors` (the composition problems).
 */
export function contractCalls(t: Transport) {
  return {
    createContract: (body: ContractInput, options?: CallOptions) =>
      t.json<Required<ContractInput> & { version: number | null }>(t.inTarget('/contracts'), {
        ...options,
        method: 'POST',
        body,
      }),
    listContracts: (options?: CallOptions) => t.json<Contract[]>(t.inTarget('/contracts'), options),
    deleteContract: (name: string, options?: CallOptions) =>
      t.json<{ deleted: string }>(t.inTarget(`/contracts/${encodeURIComponent(name)}`), {
        ...options,
        method: 'DELETE',
      }),
  };
}
