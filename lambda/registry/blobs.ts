import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { assertDigest, verifyContentDigest } from './content-digest';
import { cancelBody, readBodyWithLimits } from './limits';
import type { RegistrySession } from './session';
import { unexpectedStatus } from './status-errors';
import type { Descriptor, RepositoryRef, RequestOptions } from './types';

/**
 * GET a blob named by a descriptor: refused before any request when the descriptor is over
 * `maxBytes`; the body must have exactly the descriptor's size (the read stops as soon as it
 * does not) and hash to its digest. Redirects (ECR → S3) are followed without credentials.
 */
export async function fetchBlob(
  session: RegistrySession,
  repo: RepositoryRef,
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  maxBytes: number,
  options: RequestOptions,
): Promise<Buffer> {
  const target = session.target(repo);
  assertDigest(descriptor.digest, 'blob digest');
  if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
    throw new GuardError(
      ReasonCode.UNSUPPORTED_FORMAT,
      `blob ${descriptor.digest}: size ${descriptor.size} is invalid`,
    );
  }
  const what = `blob ${descriptor.digest} of ${repo.registry}/${repo.repository}`;
  if (descriptor.size > maxBytes) {
    throw new GuardError(
      ReasonCode.LIMIT_EXCEEDED,
      `${what} is ${descriptor.size} bytes, over the ${maxBytes}-byte limit`,
    );
  }
  const request = session.readRequest(target, `blobs/${descriptor.digest}`, '*/*', 'blob', what, options);
  // The size is known: pay for it before asking, so a blob over budget costs no request.
  options.budget?.spendBytes(descriptor.size, what);
  return session.send(target, request, async (response) => {
    if (response.status === 404) {
      await cancelBody(response);
      throw new GuardError(ReasonCode.REGISTRY_UNAVAILABLE, `${what} does not exist (HTTP 404)`);
    }
    if (response.status !== 200) throw await unexpectedStatus(response, what, target.registry);
    const bytes = await readBodyWithLimits(response, {
      maxBytes,
      expectedSize: descriptor.size,
      what,
      budget: options.budget,
      prepaid: descriptor.size,
    });
    verifyContentDigest(bytes, descriptor.digest, what);
    return bytes;
  });
}
