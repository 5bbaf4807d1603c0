import type { PolicyRules, TokenKind, WebhookEvent } from '../db/schema';
import type { CallOptions, Transport } from './http';

export interface TargetSettings {
  usageWindowDays?: number;
  usageThresholdPercent?: number;
  planCheckOperations?: number;
  /** Schema policy: rule → off | warn | error (schema-registry/checks/policy.ts). */
  policy?: PolicyRules;
}

export interface Target extends Required<TargetSettings> {
  name: string;
  createdAt: string;
}

export interface TokenSummary {
  id: number;
  kind: TokenKind;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface Webhook {
  id: number;
  url: string;
  events: WebhookEvent[];
}

export interface Delivery {
  id: number;
  event: WebhookEvent;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

/**
 * Targets, tokens and webhooks (schema-registry/api/admin.ts): the admin token's business, except
 * that a read token may read its own target. Targets are named per call; tokens and webhooks
 * belong to the client's target.
 */
export function adminCalls(t: Transport) {
  return {
    createTarget: (name: string, settings: TargetSettings = {}, options?: CallOptions) =>
      t.json<Target>('/targets', { ...options, method: 'POST', body: { name, ...settings } }),
    updateTarget: (name: string, settings: TargetSettings, options?: CallOptions) =>
      t.json<Target>(t.inTarget('', name), { ...options, method: 'PATCH', body: settings }),
    listTargets: (options?: CallOptions) => t.json<Target[]>('/targets', options),

    /** The token's secret is in this answer only. */
    createToken: (body: { kind: TokenKind; name: string }, options?: CallOptions) =>
      t.json<{ id: number; target: string; kind: TokenKind; name: string; token: string }>(t.inTarget('/tokens'), {
        ...options,
        method: 'POST',
        body,
      }),
    listTokens: (options?: CallOptions) => t.json<TokenSummary[]>(t.inTarget('/tokens'), options),
    revokeToken: (id: number, options?: CallOptions) =>
      t.json<{ revoked: number }>(t.inTarget(`/tokens/${id}`), { ...options, method: 'DELETE' }),

    /** The signing secret is in this answer only. */
    createWebhook: (body: { url: string; events?: WebhookEvent[]; secret?: string }, options?: CallOptions) =>
      t.json<Webhook & { secret: string }>(t.inTarget('/webhooks'), { ...options, method: 'POST', body }),
    listWebhooks: (options?: CallOptions) => t.json<Webhook[]>(t.inTarget('/webhooks'), options),
    deleteWebhook: (id: number, options?: CallOptions) =>
      t.json<{ deleted: number }>(t.inTarget(`/webhooks/${id}`), { ...options, method: 'DELETE' }),
    listDeliveries: (webhookId: number, options?: CallOptions) =>
      t.json<Delivery[]>(t.inTarget(`/webhooks/${webhookId}/deliveries`), options),
  };
}
