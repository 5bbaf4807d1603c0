import { createActors } from './actors';
import { PAYLOAD_GROUPS } from './payloads';
import { summarize, type Summary } from './report';
import { runSuite, type SuiteResult } from './suite';
import { startTargetSystem } from './system';

/** Starts a production-mode system, runs every payload against it, stops it and removes what it created. */
export async function attackSystem(
  log: (line: string) => void = () => {},
): Promise<{ suite: SuiteResult; summary: Summary }> {
  const target = await startTargetSystem(log);
  try {
    const actors = await createActors(target);
    const suite = await runSuite(actors, PAYLOAD_GROUPS);
    return { suite, summary: summarize(suite) };
  } finally {
    await target.stop();
  }
}
