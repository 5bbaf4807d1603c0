import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SCENARIOS } from '../../scenarios';
import { generateK6Script } from '../k6';

const K6_DIR = new URL('../../k6/', import.meta.url).pathname;

/** Writes perf/k6/<scenario>.js for every scenario; with `check`, only reports stale or missing ones. */
export async function k6Command(check: boolean): Promise<boolean> {
  mkdirSync(K6_DIR, { recursive: true });
  let stale = 0;
  for (const scenario of Object.values(SCENARIOS)) {
    const file = `${K6_DIR}${scenario.name}.js`;
    const script = generateK6Script(scenario, `perf/scenarios/${scenario.name}.ts`);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (current === script) continue;
    if (check) {
      console.error(`perf/k6/${scenario.name}.js is ${current === null ? 'missing' : 'stale'}: run \`bun perf k6\``);
      stale++;
    } else {
      writeFileSync(file, script);
      console.log(`wrote perf/k6/${scenario.name}.js`);
    }
  }
  return stale === 0;
}
