import { registryApi, registryRequest, type RegistryConnection } from '../client';
import { positiveInt, required, UsageError, type Command, type Flags } from './common';

interface TargetRow {
  name: string;
  usageWindowDays: number;
  usageThresholdPercent: number;
  planCheckOperations: number;
}

const describeTarget = (t: TargetRow) =>
  `${t.name}: usage window ${t.usageWindowDays} days, threshold ${t.usageThresholdPercent}%, plan check of ${t.planCheckOperations} operations`;

function settings(flags: Flags) {
  const threshold = flags['usage-threshold'] === undefined ? undefined : Number(flags['usage-threshold']);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 100)) throw new UsageError('--usage-threshold must be a percentage between 0 and 100');
  return {
    usageWindowDays: flags['usage-window-days'] ? positiveInt(flags['usage-window-days'], '--usage-window-days') : undefined,
    usageThresholdPercent: threshold,
    planCheckOperations: flags['plan-operations'] !== undefined ? Number(flags['plan-operations']) : undefined,
  };
}

const json = async <T>(response: Promise<Response>) => (await (await response).json()) as T;
const on = (connection: RegistryConnection, target: string) => ({ ...connection, target });

/** Targets, tokens and webhooks: the registry admin's commands (they need the admin token). */
export const adminCommands: Record<string, Command> = {
  async 'target:create'([name], flags, connection, print) {
    const row = await json<TargetRow>(registryApi(connection, 'POST', '/targets', { name: required(name, 'NAME'), ...settings(flags) }));
    print([`created target ${describeTarget(row)}`], row);
  },

  async 'target:update'([name], flags, connection, print) {
    const row = await json<TargetRow>(registryRequest(on(connection, required(name, 'NAME')), 'PATCH', '', settings(flags)));
    print([`updated target ${describeTarget(row)}`], row);
  },

  async 'target:list'(_args, _flags, connection, print) {
    const rows = await json<TargetRow[]>(registryApi(connection, 'GET', '/targets'));
    print(rows.map(describeTarget), rows);
  },

  async 'token:create'(_args, flags, connection, print) {
    const kind = required(flags.kind, '--kind');
    if (!['read', 'usage', 'write'].includes(kind)) throw new UsageError('--kind must be read, usage or write');
    const issued = await json<{ id: number; token: string; kind: string; name: string }>(registryRequest(connection, 'POST', '/tokens', { kind, name: required(flags.name, '--name') }));
    print([`${issued.kind} token ${issued.id} "${issued.name}" for target ${connection.target} (shown once, store it now):`, issued.token], issued);
  },

  async 'token:list'(_args, _flags, connection, print) {
    const rows = await json<{ id: number; kind: string; name: string; createdAt: string; revokedAt: string | null }[]>(registryRequest(connection, 'GET', '/tokens'));
    print(rows.map((t) => `${t.id}  ${t.kind.padEnd(5)}  ${t.name}  created ${t.createdAt.slice(0, 10)}${t.revokedAt ? `  revoked ${t.revokedAt.slice(0, 10)}` : ''}`), rows);
  },

  async 'token:revoke'([id], _flags, connection, print) {
    const result = await json<{ revoked: number }>(registryRequest(connection, 'DELETE', `/tokens/${positiveInt(id, 'ID')}`));
    print([`revoked token ${result.revoked}`], result);
  },

  async 'webhook:create'([url], flags, connection, print) {
    const events = flags.events?.split(',').map((e) => e.trim());
    const hook = await json<{ id: number; url: string; events: string[]; secret: string }>(
      registryRequest(connection, 'POST', '/webhooks', { url: required(url, 'URL'), events, secret: flags.secret }),
    );
    print([`webhook ${hook.id} → ${hook.url} on ${hook.events.join(', ')}`, `signing secret (shown once): ${hook.secret}`], hook);
  },

  async 'webhook:list'(_args, _flags, connection, print) {
    const rows = await json<{ id: number; url: string; events: string[] }[]>(registryRequest(connection, 'GET', '/webhooks'));
    print(rows.map((h) => `${h.id}  ${h.url}  ${h.events.join(', ')}`), rows);
  },

  async 'webhook:delete'([id], _flags, connection, print) {
    const result = await json<{ deleted: number }>(registryRequest(connection, 'DELETE', `/webhooks/${positiveInt(id, 'ID')}`));
    print([`deleted webhook ${result.deleted}`], result);
  },

  async 'webhook:deliveries'([id], _flags, connection, print) {
    const rows = await json<{ id: number; event: string; status: string; attempts: number; lastError: string | null; createdAt: string }[]>(
      registryRequest(connection, 'GET', `/webhooks/${positiveInt(id, 'ID')}/deliveries`),
    );
    print(rows.map((d) => `${d.id}  ${d.createdAt.slice(0, 19)}  ${d.event}  ${d.status} after ${d.attempts} attempt(s)${d.lastError ? `: ${d.lastError}` : ''}`), rows);
  },
};
