/**
 * Notation (Notary Project) signatures found in the same referrers listing as cosign's: each one an
 * OCI manifest with exactly one envelope layer, read within the verification's budget, its envelope
 * verified by the injected envelope verifier against the image's own descriptor, and (AWS Signer)
 * trusted only after AWS Signer says it is not revoked.
 */
import type { SignatureCheck, SignatureFormat } from '../cosign/types';
import { GuardError, toGuardError } from '../errors';
import {
  NOTATION_COSE_MEDIA_TYPE,
  NOTATION_JWS_MEDIA_TYPE,
  NOTATION_SIGNATURE_ARTIFACT_TYPE,
  type NotationEnvelopeResult,
  type NotationVerifier,
  type RevocationChecker,
  type TargetDescriptor,
} from '../notation/types';
import { ReasonCode } from '../reasons';
import { MediaType } from '../registry/media-types';
import type { Descriptor } from '../registry/types';
import { describeRevoked } from '../signer/revocation-checker';
import { untrustedText } from '../text/untrusted-text';
import type { DiscoveryContext } from './discover';
import { artifactFailure, failedCheck, readOptions, single } from './discovery-parts';
import type { NotationEnvelopeVerifier, NotationSignatureDetails } from './notation-types';
import type { Discovery } from './summarise';

/** notation-go's cap on a signature manifest (registry/repository.go). */
export const MAX_NOTATION_MANIFEST_BYTES = 4 * 1024 * 1024;
/**
 * Cap on an envelope blob. notation-go allows 32 MiB; a real envelope (JWS or COSE with a
 * four-certificate chain and a timestamp token) is a few KiB, so the cosign bundle's cap is ample.
 */
export const MAX_NOTATION_ENVELOPE_BYTES = 2 * 1024 * 1024;

export const NOT_CHECKED_REVOCATION =
  'revocation not checked (OCSP/CRL are not checked for X.509 chains yet; only AWS Signer revocation is)';

/** What the Notation part of discovery needs beyond the cosign context. */
export interface NotationDiscovery {
  /** The rule's Notation signers; Notation artifacts are only read when there is one. */
  verifiers: readonly NotationVerifier[];
  verifyEnvelope: NotationEnvelopeVerifier;
  revocation?: RevocationChecker;
  /**
   * The image manifest's own descriptor when the guard read it (it resolved the tag). Otherwise the
   * signature manifest's `subject` gives the size and media type for the digest ECS reported, at no
   * extra request: the digest is the only part of either that is verified, and it is checked.
   */
  target?: TargetDescriptor;
  /** Verification time. */
  now: () => Date;
}

/** A referrer listed as a Notation signature (the registry or the tag index names both forms so). */
export function isNotationReferrer(descriptor: Descriptor): boolean {
  return descriptor.artifactType === NOTATION_SIGNATURE_ARTIFACT_TYPE;
}

export async function checkNotationReferrer(
  ctx: DiscoveryContext & { notation: NotationDiscovery },
  descriptor: Descriptor,
): Promise<Discovery> {
  const artifact = descriptor.digest;
  let manifest: Buffer | undefined;
  try {
    manifest = (await ctx.registry.getManifest(ctx.repo, artifact, readOptions(ctx)))?.bytes;
  } catch (e) {
    return artifactFailure(e, 'notation', artifact);
  }
  if (!manifest) {
    return single(
      failedCheck(
        'notation',
        artifact,
        ReasonCode.SIGNATURE_MALFORMED,
        'Notation signature manifest is listed but missing',
      ),
    );
  }
  if (manifest.length > MAX_NOTATION_MANIFEST_BYTES) {
    return single(
      failedCheck(
        'notation',
        artifact,
        ReasonCode.LIMIT_EXCEEDED,
        `Notation signature manifest is ${manifest.length} bytes, over the ${MAX_NOTATION_MANIFEST_BYTES}-byte limit`,
      ),
    );
  }
  const parsed = parseSignatureManifest(manifest);
  if (typeof parsed === 'string') {
    return single(failedCheck('notation', artifact, ReasonCode.SIGNATURE_MALFORMED, parsed));
  }
  const layer = parsed.envelope;
  const format = formatOf(layer.mediaType);
  if (parsed.subject === undefined) {
    return single(
      failedCheck(
        format,
        artifact,
        ReasonCode.SIGNATURE_MALFORMED,
        'the Notation signature manifest has no valid subject descriptor',
      ),
    );
  }
  if (parsed.subject.digest !== ctx.imageDigest) {
    // Listed under this image, about another one: not read (its envelope could only sign the other).
    return single(
      failedCheck(
        format,
        artifact,
        ReasonCode.DIGEST_MISMATCH,
        `the Notation signature manifest's subject is ${untrustedText(parsed.subject.digest, 80)}, not this image (${ctx.imageDigest})`,
      ),
    );
  }
  const target = ctx.notation.target ?? parsed.subject;
  let envelope: Buffer;
  try {
    ctx.budget.spendLayer(`Notation envelope of ${artifact}`);
    envelope = await ctx.registry.getBlob(
      ctx.repo,
      layer,
      readOptions(ctx, Math.min(ctx.limits.maxSignatureBlobBytes, MAX_NOTATION_ENVELOPE_BYTES)),
    );
  } catch (e) {
    return artifactFailure(e, format, artifact);
  }
  let result: NotationEnvelopeResult;
  try {
    result = await ctx.notation.verifyEnvelope({
      envelope,
      envelopeMediaType: layer.mediaType,
      target,
      verifiers: ctx.notation.verifiers,
      now: ctx.notation.now(),
    });
  } catch (e) {
    // The verifier reports a bad signature as a result; a throw is a failure to decide (never a pass).
    return artifactFailure(toGuardError(e), format, artifact);
  }
  return judged(ctx, artifact, result.format ?? format, result);
}

/** The envelope verifier's verdict, completed with AWS Signer's revocation status. */
async function judged(
  ctx: DiscoveryContext & { notation: NotationDiscovery },
  artifact: string,
  format: SignatureFormat,
  result: NotationEnvelopeResult,
): Promise<Discovery> {
  const signer = ctx.notation.verifiers.find((v) => v.name === result.verifier);
  const details: NotationSignatureDetails = {
    ...(result.verifier === undefined ? {} : { verifier: result.verifier }),
    ...(result.identity === undefined ? {} : { identity: result.identity }),
    ...(result.signingScheme === undefined ? {} : { signingScheme: result.signingScheme }),
    ...(result.signingTime === undefined ? {} : { signingTime: result.signingTime }),
    ...(result.expiry === undefined ? {} : { expiry: result.expiry }),
    ...(result.failedCheck === undefined ? {} : { failedCheck: result.failedCheck }),
    awsSigner: result.awsSigner !== undefined || signer?.kind === 'awsSigner',
    revocation: null,
  };
  const base = { format, artifact, reason: result.reason, message: result.message };
  if (!result.ok) return single({ ...base, ok: false, notation: details });
  if (!result.verifier || !signer) {
    // Out of contract: an error (never a pass, never a denial the registry's content caused).
    return artifactFailure(
      new GuardError(
        ReasonCode.INTERNAL_ERROR,
        'the envelope verifier accepted the signature without naming a signer of this rule',
      ),
      format,
      artifact,
      { notation: details },
    );
  }
  if (!details.awsSigner) {
    return single({
      ...base,
      ok: true,
      key: signer.name,
      notation: { ...details, revocation: 'not-checked', revocationDetail: NOT_CHECKED_REVOCATION },
    });
  }
  return checkRevocation(ctx, { ...base, key: signer.name }, details, result);
}

async function checkRevocation(
  ctx: DiscoveryContext & { notation: NotationDiscovery },
  base: Omit<SignatureCheck, 'ok' | 'notation'>,
  details: NotationSignatureDetails,
  result: NotationEnvelopeResult,
): Promise<Discovery> {
  try {
    if (!result.awsSigner) {
      throw new GuardError(
        ReasonCode.INTERNAL_ERROR,
        'the envelope verifier gave no revocation input for an AWS Signer signature',
      );
    }
    if (!ctx.notation.revocation) {
      throw new GuardError(
        ReasonCode.REVOCATION_UNAVAILABLE,
        'no AWS Signer revocation checker is configured, so an AWS Signer signature cannot be trusted',
      );
    }
    const revocation = await ctx.notation.revocation.check(result.awsSigner, ctx.signal);
    if (revocation.status === 'revoked') {
      return single({
        ...base,
        ok: false,
        reason: ReasonCode.REVOKED,
        message: describeRevoked(result.awsSigner, revocation.revokedEntities),
        notation: {
          ...details,
          revocation: 'revoked',
          revocationDetail: describeRevoked(result.awsSigner, revocation.revokedEntities),
          revocationCheckedAt: revocation.checkedAt,
        },
      });
    }
    if (revocation.status !== 'not-revoked') {
      throw new GuardError(ReasonCode.INTERNAL_ERROR, 'AWS Signer revocation was not checked');
    }
    return single({
      ...base,
      ok: true,
      notation: {
        ...details,
        revocation: 'not-revoked',
        revocationDetail: `AWS Signer: not revoked (asked at ${revocation.checkedAt})`,
        revocationCheckedAt: revocation.checkedAt,
      },
    });
  } catch (e) {
    return artifactFailure(toGuardError(e, ReasonCode.REVOCATION_UNAVAILABLE), base.format, base.artifact, {
      notation: details,
    });
  }
}

function formatOf(mediaType: string): SignatureFormat {
  if (mediaType === NOTATION_JWS_MEDIA_TYPE) return 'notation-jws';
  if (mediaType === NOTATION_COSE_MEDIA_TYPE) return 'notation-cose';
  return 'notation';
}

/**
 * A Notation signature manifest in either form (`spec:signature-specification.md` §OCI Signatures):
 * `artifactType` = the Notation type with the empty config, or (legacy) the Notation type as the
 * config's media type; exactly one layer, the envelope. Else why not, in words.
 */
function parseSignatureManifest(
  bytes: Buffer,
): { envelope: Descriptor; subject: TargetDescriptor | undefined } | string {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'Notation signature manifest is not valid JSON';
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    return 'Notation signature manifest is not a JSON object';
  const m = json as {
    artifactType?: unknown;
    config?: { mediaType?: unknown };
    layers?: unknown;
    subject?: unknown;
  };
  const configType = typeof m.config === 'object' && m.config ? m.config.mediaType : undefined;
  const current = m.artifactType === NOTATION_SIGNATURE_ARTIFACT_TYPE && configType === MediaType.OCI_EMPTY;
  const legacy = m.artifactType === undefined && configType === NOTATION_SIGNATURE_ARTIFACT_TYPE;
  if (!current && !legacy) {
    return (
      `not a Notation signature manifest (artifactType ${untrustedText(String(m.artifactType), 120)}, ` +
      `config ${untrustedText(String(configType), 120)})`
    );
  }
  if (!Array.isArray(m.layers) || m.layers.length !== 1) {
    const found = Array.isArray(m.layers) ? m.layers.length : 0;
    return `a Notation signature manifest has exactly one envelope layer; this one has ${found}`;
  }
  const layer = m.layers[0] as Record<string, unknown> | null;
  if (
    !layer ||
    typeof layer !== 'object' ||
    typeof layer.mediaType !== 'string' ||
    typeof layer.digest !== 'string' ||
    typeof layer.size !== 'number'
  ) {
    return 'the envelope layer of the Notation signature manifest is not a valid descriptor';
  }
  return {
    envelope: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
    subject: subjectOf(m.subject),
  };
}

/** The manifest's `subject` as a target descriptor, or undefined when it is missing or malformed. */
function subjectOf(value: unknown): TargetDescriptor | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { mediaType, digest, size } = value as Record<string, unknown>;
  if (typeof mediaType !== 'string' || typeof digest !== 'string') return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  return { mediaType, digest, size };
}
