/**
 * Seeds a database: `bun seed/cli.ts [--reset] [--scale small|large]` (DATABASE_URL required).
 * Exit codes: 0 done (or already seeded), 1 failed, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { describeConnectionError } from '../kit/db';
import { SCALES, seedDatabase, type Scale } from '.';

const usage =
  'usage: bun seed/cli.ts [--reset] [--scale small|large]   (DATABASE_URL required, SEED_SCALE as default scale)';
let args: { reset?: boolean; scale?: string; help?: boolean };
try {
  args = parseArgs({
    options: { reset: { type: 'boolean', default: false }, scale: { type: 'string' }, help: { type: 'boolean' } },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const scale = args.scale ?? process.env.SEED_SCALE ?? 'small';
if (!(scale in SCALES)) {
  console.error(`scale must be one of ${Object.keys(SCALES).join(', ')}, got "${scale}"\n${usage}`);
  process.exit(2);
}
const url = process.env.DATABASE_URL;
if (!url) {
  console.error(`DATABASE_URL is not set\n${usage}`);
  process.exit(2);
}
try {
  const result = await seedDatabase(url, { scale: scale as Scale, reset: args.reset, log: console.log });
  if (!result.seeded) console.log('catalog already has data; nothing seeded (use --reset to start over)');
  else console.log(`seeded ${scale} in ${(result.ms / 1000).toFixed(1)} s`);
} catch (error) {
  const code = (error as { code?: string }).code;
  console.error(code ? describeConnectionError(url, error) : `seed failed: ${(error as Error).message}`);
  process.exit(1);
}
