import { CHECK_RUN_KINDS, type CheckRunKind } from '../db/schema';
import { positiveInt, UsageError, type Command } from './common';

/** check:list — the stored check runs of the target, newest first, filtered. */
export const checkCommands: Record<string, Command> = {
  async 'check:list'(_args, flags, registry, print) {
    const kind = flags.kind as CheckRunKind | undefined;
    if (kind && !CHECK_RUN_KINDS.includes(kind))
      throw new UsageError(`--kind must be one of ${CHECK_RUN_KINDS.join(', ')}`);
    if (flags.failed && flags.passed) throw new UsageError('--failed and --passed exclude each other');
    const runs = await registry.checkRuns({
      subgraph: flags.service,
      kind,
      ok: flags.failed ? false : flags.passed ? true : undefined,
      author: flags.author,
      limit: flags.limit ? positiveInt(flags.limit, '--limit') : 20,
    });
    print(
      runs.map(
        (r) =>
          `#${r.id}  ${r.createdAt.slice(0, 19).replace('T', ' ')}  ${r.kind} ${r.subgraph ?? '(all)'}  ${r.ok ? 'passed' : 'FAILED'} (${r.status})  by ${r.author ?? '?'}${r.commit ? ` @ ${r.commit}` : ''}`,
      ),
      runs,
    );
  },
};
