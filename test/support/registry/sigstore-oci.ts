import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RegistryEndpoint } from './start-registry';

const run = promisify(execFile);

// Runs in a separate Node process: @sigstore/oci pulls in ESM-only dependencies
// (http-proxy-agent via make-fetch-happen) that jest's CommonJS module loader cannot require.
const ATTACH_SCRIPT = `
const { attachArtifactToImage } = require('@sigstore/oci');
const input = JSON.parse(process.env.ATTACH_INPUT);
attachArtifactToImage({ ...input, artifact: Buffer.from(input.artifact, 'base64') }).then(
  (d) => process.stdout.write(JSON.stringify({ mediaType: d.mediaType, digest: d.digest, size: d.size })),
  (e) => { process.stderr.write(String(e && e.cause ? e.message + ': ' + e.cause : e)); process.exit(1); },
);`;

/**
 * Attaches `artifact` to the image `imageDigest` with @sigstore/oci (sigstore-js), an
 * independent writer of the OCI 1.1 referrer layout: it pushes the artifact manifest with a
 * `subject` and, unless the registry has the referrers API and answers the push with
 * `OCI-Subject`, maintains the `sha256-<hex>` fallback index. Limits found: it speaks plain
 * HTTP only to `localhost`/`127.0.0.1` (https elsewhere, with no CA option), and it needs
 * credentials (its sign-in probe fails against an unauthenticated registry) — so use an
 * htpasswd registry (or a front/proxy of one) over HTTP.
 */
export async function attachWithSigstoreOci(
  endpoint: RegistryEndpoint,
  repo: string,
  imageDigest: string,
  artifact: Buffer,
  mediaType: string,
  annotations: Record<string, string> = {},
): Promise<{ mediaType: string; digest: string; size: number }> {
  if (!endpoint.credentials)
    throw new Error('attachWithSigstoreOci needs a registry with credentials (htpasswd)');
  if (!endpoint.url.startsWith('http:')) throw new Error('@sigstore/oci only speaks plain HTTP to 127.0.0.1');
  const input = {
    imageName: `${endpoint.host}/${repo}`,
    imageDigest,
    artifact: artifact.toString('base64'),
    mediaType,
    annotations,
    credentials: endpoint.credentials,
  };
  const { stdout } = await run(process.execPath, ['-e', ATTACH_SCRIPT], {
    cwd: path.join(__dirname, '..', '..', '..'),
    env: { PATH: process.env.PATH ?? '', ATTACH_INPUT: JSON.stringify(input) },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as { mediaType: string; digest: string; size: number };
}
