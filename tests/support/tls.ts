import { join } from 'node:path';

/**
 * A self-signed certificate in `dir` (openssl), by default for `localhost` and 127.0.0.1, for
 * servers of a test's own that speak TLS: `cert` doubles as the CA a client must trust to verify them.
 */
export function selfSignedCertificate(
  dir: string,
  { host = 'localhost', altNames = 'DNS:localhost,IP:127.0.0.1' } = {},
): { cert: string; key: string } {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const made = Bun.spawnSync([
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${host}`,
    '-addext',
    `subjectAltName=${altNames}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  return { cert, key };
}
