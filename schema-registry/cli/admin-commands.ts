import type { Target, TargetSettings } from '../client';
import type { TokenKind, WebhookEvent } from '../db/schema';
import { positiveInt, required, UsageError, type Command, type Flags } from './common';
import { readPolicy } from './governance-commands';

const describePolicy = (policy: Target['policy']) => {
  const on = Object.entries(policy ?? {}).filter(([, severity]) => severity !== 'off');
  return on.length ? on.map(([rule, severity]) => `${rule}=${severity}`).join(' ') : 'none';
};
const describeTarget = (t: Target) =>
  `${t.name}: usage window ${t.usageWindowDays} days, threshold ${t.usageThresholdPercent}%, plan check of ${t.planCheckOperations} operations, policy ${describePolicy(t.policy)}`;

function settings(flags: Flags): TargetSettings {
  const threshold = flags['usage-threshold'] === undefined ? undefined : Number(flags['usage-threshold']);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 100))
    throw new UsageError('--usage-threshold must be a percentage between 0 and 100');
  return {
    usageWindowDays: flags['usage-window-days']
      ? positiveInt(flags['usage-window-days'], '--usage-window-days')
      : undefined,
    usageThresholdPercent: threshold,
    planCheckOperations: flags['plan-operations'] !== undefined ? Number(flags['plan-operations']) : undefined,
    policy: flags.policy ? readPolicy(flags.policy) : undefined,
  };
}

/** Targets, tokens and webhooks: the registry admin's commands (they need the admin token). */
export const adminCommands: Record<string, Command> = {
  async 'target:create'([name], flags, registry, print) {
    const row = await registry.createTarget(required(name, 'NAME'), settings(flags));
    print([`created target ${describeTarget(row)}`], row);
  },

  async 'target:update'([name], flags, registry, print) {
    const row = await registry.updateTarget(required(name, 'NAME'), settings(flags));
    print([`updated target ${describeTarget(row)}`], row);
  },

  async 'target:list'(_args, _flags, registry, print) {
    const rows = await registry.listTargets();
    print(rows.map(describeTarget), rows);
  },

  async 'token:create'(_args, flags, registry, print) {
    const kind = required(flags.kind, '--kind');
    if (!['read', 'usage', 'write'].includes(kind)) throw new UsageError('--kind must be read, usage or write');
    const issued = await registry.createToken({ kind: kind as TokenKind, name: required(flags.name, '--name') });
    print(
      [
        `${issued.kind} token ${issued.id} "${issued.name}" for target ${registry.target} (shown once, store it now):`,
        issued.token,
      ],
      issued,
    );
  },

  async 'token:list'(_args, _flags, registry, print) {
    const rows = await registry.listTokens();
    print(
      rows.map(
        (t) =>
          `${t.id}  ${t.kind.padEnd(5)}  ${t.name}  created ${t.createdAt.slice(0, 10)}${t.revokedAt ? `  revoked ${t.revokedAt.slice(0, 10)}` : ''}`,
      ),
      rows,
    );
  },

  async 'token:revoke'([id], _flags, registry, print) {
    const result = await registry.revokeToken(positiveInt(id, 'ID'));
    print([`revoked token ${result.revoked}`], result);
  },

  async 'webhook:create'([url], flags, registry, print) {
    // The registry names any event it does not know.
    const events = flags.events?.split(',').map((e) => e.trim() as WebhookEvent);
    const hook = await registry.createWebhook({ url: required(url, 'URL'), events, secret: flags.secret });
    print(
      [`webhook ${hook.id} → ${hook.url} on ${hook.events.join(', ')}`, `signing secret (shown once): ${hook.secret}`],
      hook,
    );
  },

  async 'webhook:list'(_args, _flags, registry, print) {
    const rows = await registry.listWebhooks();
    print(
      rows.map((h) => `${h.id}  ${h.url}  ${h.events.join(', ')}`),
      rows,
    );
  },

  async 'webhook:delete'([id], _flags, registry, print) {
    const result = await registry.deleteWebhook(positiveInt(id, 'ID'));
    print([`deleted webhook ${result.deleted}`], result);
  },

  async 'webhook:deliveries'([id], _flags, registry, print) {
    const rows = await registry.listDeliveries(positiveInt(id, 'ID'));
    print(
      rows.map(
        (d) =>
          `${d.id}  ${d.createdAt.slice(0, 19)}  ${d.event}  ${d.status} after ${d.attempts} attempt(s)${d.lastError ? `: ${d.lastError}` : ''}`,
      ),
      rows,
    );
  },
};
