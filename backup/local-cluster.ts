import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAsServer, ToolError } from './server-account';

/**
 * A PostgreSQL data directory on this machine, driven through pg_ctl as the server's account:
 * restore starts the recovered cluster with it; the drill and the tests build their primary with it.
 */
export class LocalCluster {
  constructor(
    readonly bin: string,
    readonly dataDir: string,
    /** Where pg_ctl sends the server's log (stderr). */
    readonly logFile: string,
  ) {}

  /** initdb with trust authentication for local connections (clusters the drill and tests own). */
  async init(options: { walSegmentMiB?: number } = {}) {
    await runAsServer([
      join(this.bin, 'initdb'),
      `--pgdata=${this.dataDir}`,
      '--username=postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--no-sync',
      ...(options.walSegmentMiB ? [`--wal-segsize=${options.walSegmentMiB}`] : []),
    ]);
  }

  /**
   * Starts the server and waits until it accepts connections: read-write, or read-only while it
   * replays WAL as a hot standby. Throws when it exits first or takes longer than `timeoutSeconds`.
   */
  async start(timeoutSeconds = 60) {
    await runAsServer([
      join(this.bin, 'pg_ctl'),
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-w',
      '-t',
      String(Math.ceil(timeoutSeconds)),
      'start',
    ]);
  }

  /** `immediate` is a crash as far as the data is concerned: nothing more is flushed or archived. */
  async stop(mode: 'fast' | 'immediate' = 'fast') {
    await runAsServer([join(this.bin, 'pg_ctl'), '-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  async isRunning(): Promise<boolean> {
    try {
      await runAsServer([join(this.bin, 'pg_ctl'), '-D', this.dataDir, 'status']);
      return true;
    } catch (error) {
      if (error instanceof ToolError) return false;
      throw error;
    }
  }

  /**
   * The cluster state pg_control records: `in archive recovery` while WAL is replayed, `in
   * production` once recovery has ended and the server takes writes, `shut down` when stopped.
   */
  async state(): Promise<string> {
    const out = await runAsServer([join(this.bin, 'pg_controldata'), '--pgdata', this.dataDir]);
    return out.match(/^Database cluster state:\s+(.+)$/m)?.[1]?.trim() ?? 'unknown';
  }

  readLog(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }
}
