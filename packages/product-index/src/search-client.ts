import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';

/** `none` for the local node; `sigv4` for an Amazon OpenSearch Service domain (IAM, fine-grained access). */
export type SearchSigning = 'none' | 'sigv4';

export interface SearchClientOptions {
  /** The engine's URL (the local node, or the domain's endpoint in AWS). */
  endpoint: string;
  /** How long a request may take before it fails. */
  timeoutMs: number;
  signing?: SearchSigning;
  /** The domain's region, which SigV4 signs for. */
  region?: string;
}

/** An OpenSearch client that fails fast: no retries, a bounded wait, so a slow engine costs one timeout. */
export function createSearchClient({ endpoint, timeoutMs, signing = 'none', region }: SearchClientOptions): Client {
  const signer =
    signing === 'sigv4'
      ? AwsSigv4Signer({ region: region ?? 'us-east-1', service: 'es', getCredentials: defaultProvider() })
      : {};
  return new Client({ ...signer, node: endpoint, requestTimeout: timeoutMs, maxRetries: 0 });
}
