import type { GatewayPlugin } from '@graphql-hive/gateway';
import { defaultPrintFn } from '@graphql-tools/executor-common';
import { SIGNATURE_EXTENSION, signPayload } from '../../kit/gateway-signature';

/**
 * Signs every subgraph request with GATEWAY_HMAC_SECRET (kit/gateway-signature.ts), so subgraphs
 * serve only the gateway. The query is printed as Hive's HTTP executor prints it (the same
 * memoised printer), so the signed text is the text sent.
 */
export function useSubgraphSignature(secret: string): GatewayPlugin {
  return {
    onSubgraphExecute({ executionRequest }) {
      const signature = signPayload(secret, {
        query: defaultPrintFn(executionRequest.document),
        variables: executionRequest.variables,
      });
      executionRequest.extensions = { ...executionRequest.extensions, [SIGNATURE_EXTENSION]: signature };
    },
  };
}
