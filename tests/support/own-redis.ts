import { connect } from 'node:net';
import { freePort } from '../../kit/ports';

/**
 * A Redis server of a test's own, on a free loopback port without persistence, for tests that stop
 * and start it (the machine's shared Redis is never stopped). `stop()` kills it like a crash;
 * `start()` brings up an empty one on the same port.
 */
export interface OwnRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ReturnType<typeof Bun.spawn> | null = null;
  const redis: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = Bun.spawn(
        ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdout: 'ignore', stderr: 'ignore' },
      );
      const deadline = Date.now() + 10_000;
      while (!(await answers(port))) {
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
        await Bun.sleep(50);
      }
    },
    async stop() {
      if (!child) return;
      child.kill('SIGKILL');
      await child.exited;
      child = null;
    },
  };
  await redis.start();
  return redis;
}
