import { describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { cpuTable, LOAD_GENERATOR, renderCpuTable } from '../lab/cpu/table';
import { cpuSeconds, listeningPid, threadCpuSeconds } from '../lab/cpu/processes';
import { pidTier, postgresTier, redisTier, startCpuMeter, type Tier } from '../lab/cpu/tiers';
import { ADMIN_URL } from '../lab/target';

/** A child that spends `ms` of CPU (by its own clock, whatever else the machine runs), then idles. */
function burner(ms: number) {
  return Bun.spawn(
    [
      'bun',
      '-e',
      `const end = ${ms * 1000}; let x = 0; while (process.cpuUsage().user < end) x += Math.sqrt(x + 1); setTimeout(() => {}, 60_000);`,
    ],
    { stdout: 'ignore', stderr: 'ignore' },
  );
}

describe('CPU per request', () => {
  test('a child that spends 600 ms of CPU over 120 requests costs 5 ms per request, from real /proc readings', async () => {
    const child = burner(600);
    try {
      const meter = await startCpuMeter([pidTier('child', [child.pid])]);
      // Wait until the child has burnt its CPU (its own clock, not ours: the machine is shared).
      for (let i = 0; i < 200 && (cpuSeconds(child.pid) ?? 0) < 0.6; i++) await Bun.sleep(50);
      await Bun.sleep(100);
      const [reading] = await meter.stop();
      // 10 ms ticks, plus the child's start-up before the meter's first reading.
      expect(reading!.cpuSec).toBeGreaterThanOrEqual(0.5);
      expect(reading!.cpuSec).toBeLessThan(1.0);
      const table = cpuTable([reading!, { ...reading!, name: LOAD_GENERATOR, cpuSec: 0.12 }], 120, 2);
      expect(table.rows[0]!.msPerRequest).toBeCloseTo((reading!.cpuSec * 1000) / 120, 9);
      expect(table.rows[0]!.percentOfCore).toBeCloseTo(reading!.cpuSec * 50, 9);
      expect(table.rows[1]!.msPerRequest).toBeCloseTo(1, 9);
      // The system's total leaves the load generator out.
      expect(table.systemMsPerRequest).toBeCloseTo((reading!.cpuSec * 1000) / 120, 9);
      expect(renderCpuTable(table)).toContain(`| child | ${((reading!.cpuSec * 1000) / 120).toFixed(3)} ms |`);
      // The threads' CPU adds up to the process's.
      const threads = [...threadCpuSeconds(child.pid).values()].reduce((sum, value) => sum + value, 0);
      expect(Math.abs(threads - cpuSeconds(child.pid)!)).toBeLessThanOrEqual(0.05);
    } finally {
      child.kill();
    }
  }, 30_000);

  test('a process that appears during the window counts whole; one that ends is reported as lost', async () => {
    const late = burner(200);
    const gone = Bun.spawn(['bun', '-e', 'setTimeout(() => {}, 60_000)'], { stdout: 'ignore' });
    let pids = [gone.pid];
    const tier: Tier = { name: 't', find: () => pids.map((pid) => ({ pid, group: `g${pid % 2}` })) };
    try {
      const meter = await startCpuMeter([tier]);
      for (let i = 0; i < 200 && (cpuSeconds(late.pid) ?? 0) < 0.2; i++) await Bun.sleep(50);
      gone.kill();
      await gone.exited;
      pids = [gone.pid, late.pid];
      const [reading] = await meter.stop();
      expect(reading!.lost).toBe(1);
      expect(reading!.processes).toBe(1);
      expect(reading!.cpuSec).toBeGreaterThanOrEqual(0.2);
      expect(reading!.byGroup[`g${late.pid % 2}`]).toBe(reading!.cpuSec);
      expect(cpuTable([reading!], 10, 1).rows[0]!.note).toContain('1 process(es) ended during the window');
    } finally {
      late.kill();
    }
  }, 30_000);

  test('PostgreSQL backends of a database are found with their application_name', async () => {
    const url = new URL(ADMIN_URL);
    const sql = postgres(url.toString(), { max: 1, connection: { application_name: 'autograph-cpu-test' } });
    try {
      await sql`select 1`;
      const processes = await postgresTier(ADMIN_URL, url.pathname.slice(1) || 'postgres').find();
      expect(processes.map((p) => p.group)).toContain('autograph-cpu-test');
      for (const { pid } of processes) expect(cpuSeconds(pid)).not.toBeNull();
    } finally {
      await sql.end();
    }
  });

  test('Redis is found by the pid it reports; a listening port leads to its process', async () => {
    const tier = await redisTier('redis://127.0.0.1:6379');
    const [redis] = await tier.find();
    expect(redis).toBeDefined();
    expect(cpuSeconds(redis!.pid)).not.toBeNull();
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
    try {
      expect(listeningPid(server.port!)).toBe(process.pid);
    } finally {
      server.stop(true);
    }
  });
});
