import type { CrashLoop } from '../kit/supervisor';

/**
 * The launcher's last part, once everything runs: Ctrl-C (SIGINT) or SIGTERM stops every child
 * (none is restarted meanwhile) and exits 0; a crash loop the supervisor gave up on stops every
 * child and exits 1, saying which child and why on stderr.
 */
export function stopOnSignalOrCrashLoop(
  system: { stop(): Promise<unknown>; gaveUp: Promise<CrashLoop> },
  report: { say: (message: string) => void; fail: (message: string) => void; crashLoopHint?: string },
) {
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    report.say('stopping…');
    await system.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  void system.gaveUp.then((loop) => {
    if (shuttingDown) return;
    report.fail(`${loop.message}\nStopping everything${report.crashLoopHint ? ` (${report.crashLoopHint})` : ''}.`);
    void shutdown(1);
  });
}
