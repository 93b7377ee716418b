import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with openssl. */
export interface TestPki {
  /** CA certificate (PEM): what a client must trust. */
  caPem: string;
  /** Server certificate (PEM), SAN IP:127.0.0.1, IP:::1, DNS:localhost, signed by the CA. */
  certPem: string;
  /** Server private key (PEM). */
  keyPem: string;
  /** Files on disk (for docker-registry's config): ca.pem, server.pem, server.key. */
  files: { ca: string; cert: string; key: string };
  /** Removes the files. */
  dispose(): Promise<void>;
}

/** Creates a CA (EC P-256, 1 day) and a server certificate it signs. */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ecs-image-guard-pki-'));
  const file = (name: string): string => path.join(dir, name);
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=ecs-image-guard test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=127.0.0.1',
    ]);
    await writeFile(
      file('server.ext'),
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=digitalSignature',
        'extendedKeyUsage=serverAuth',
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      ].join('\n'),
    );
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.pem'),
      '-days',
      '1',
      '-extfile',
      file('server.ext'),
    ]);
    const [caPem, certPem, keyPem] = await Promise.all(
      ['ca.pem', 'server.pem', 'server.key'].map((n) => readFile(file(n), 'utf8')),
    );
    return {
      caPem: caPem as string,
      certPem: certPem as string,
      keyPem: keyPem as string,
      files: { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
