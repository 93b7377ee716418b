import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { isDigest } from '../reference/digest';
import { tagProblem } from '../reference/grammar';
import { untrustedText } from '../text/untrusted-text';
import { digestOf, verifyContentDigest } from './content-digest';
import type { FetchResponse } from './fetch-function';
import { cancelBody, readBodyWithLimits } from './limits';
import { baseMediaType, isManifestMediaType, MANIFEST_ACCEPT } from './media-types';
import type { RegistrySession } from './session';
import { unexpectedStatus } from './status-errors';
import type { FetchedManifest, RepositoryRef, RequestOptions } from './types';

function assertTag(tag: string): void {
  const problem = tagProblem(tag);
  if (problem) {
    throw new GuardError(
      ReasonCode.INVALID_REFERENCE,
      `"${untrustedText(tag, 140)}" is neither a digest nor a tag: ${problem}`,
    );
  }
}

/**
 * GET a manifest by tag or digest (capped), hash the exact bytes: by digest they must match
 * it; by tag the computed digest is reported. A Docker-Content-Digest the registry sends must
 * describe the bytes too. 404 → undefined.
 */
export async function fetchManifest(
  session: RegistrySession,
  repo: RepositoryRef,
  reference: string,
  options: RequestOptions,
): Promise<FetchedManifest | undefined> {
  const target = session.target(repo);
  const byDigest = isDigest(reference);
  if (!byDigest) assertTag(reference);
  const what = `manifest ${reference} of ${repo.registry}/${repo.repository}`;
  const request = session.readRequest(
    target,
    `manifests/${reference}`,
    MANIFEST_ACCEPT,
    'manifest',
    what,
    options,
  );
  options.budget?.spendManifest(what);
  return session.send(target, request, async (response) => {
    if (response.status === 404) {
      await cancelBody(response);
      return undefined;
    }
    if (response.status !== 200) throw await unexpectedStatus(response, what, target.registry);
    const bytes = await readBodyWithLimits(response, {
      maxBytes: session.options.maxManifestBytes,
      what,
      budget: options.budget,
    });
    if (byDigest) verifyContentDigest(bytes, reference, what);
    checkDeclaredDigest(response, bytes, what);
    return {
      digest: byDigest ? reference : digestOf(bytes),
      mediaType: manifestMediaType(response, bytes, what),
      bytes,
    };
  });
}

/**
 * HEAD a tag and read Docker-Content-Digest (one request, nothing to hash: the registry's word).
 * `missing` on 404; `digest` undefined when the header is absent or malformed.
 */
export async function headManifestDigest(
  session: RegistrySession,
  repo: RepositoryRef,
  tag: string,
  options: RequestOptions,
): Promise<{ missing: boolean; digest?: string }> {
  const target = session.target(repo);
  assertTag(tag);
  const what = `digest of ${repo.registry}/${repo.repository}:${tag}`;
  const request = session.readRequest(target, `manifests/${tag}`, MANIFEST_ACCEPT, 'manifest', what, options);
  request.method = 'HEAD';
  return session.send(target, request, async (response) => {
    await cancelBody(response);
    if (response.status === 404) return { missing: true };
    if (response.status !== 200) throw await unexpectedStatus(response, what, target.registry);
    const header = response.headers.get('docker-content-digest')?.trim();
    return header && isDigest(header) ? { missing: false, digest: header } : { missing: false };
  });
}

/** A registry-declared Docker-Content-Digest must describe the bytes it came with. */
function checkDeclaredDigest(response: FetchResponse, bytes: Buffer, what: string): void {
  const declared = response.headers.get('docker-content-digest')?.trim();
  if (!declared || !isDigest(declared)) return;
  verifyContentDigest(bytes, declared, `${what} (Docker-Content-Digest)`);
}

/**
 * The manifest's media type: the Content-Type when it names a manifest type, else the
 * document's own `mediaType`. When both are present they must agree (the document's field
 * is covered by the digest; the header is not).
 */
function manifestMediaType(response: FetchResponse, bytes: Buffer, what: string): string {
  const declared = baseMediaType(response.headers.get('content-type'));
  let embedded: string | undefined;
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    if (typeof json.mediaType === 'string' && json.mediaType !== '') embedded = json.mediaType;
  } catch {
    // Not JSON: the verifier reports that when it parses; the media type comes from the header.
  }
  if (declared !== undefined && isManifestMediaType(declared)) {
    if (embedded !== undefined && embedded !== declared) {
      throw new GuardError(
        ReasonCode.CONTENT_MISMATCH,
        `${what}: Content-Type ${untrustedText(declared, 120)} disagrees with the manifest's mediaType ${untrustedText(embedded, 120)}`,
      );
    }
    return declared;
  }
  return embedded ?? declared ?? 'application/octet-stream';
}
