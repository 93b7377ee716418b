import { ReasonCode } from '../reasons';
import { toGuardError } from '../errors';
import { untrustedText } from '../text/untrusted-text';
import {
  AWS_SIGNER_CRITICAL_ATTRIBUTES,
  AWS_SIGNER_JOB_ATTRIBUTE,
  AWS_SIGNER_NOTATION_PLATFORM_ID,
  AWS_SIGNER_PLUGIN_NAME,
  AWS_SIGNER_PROFILE_VERSION_ATTRIBUTE,
  VERIFICATION_PLUGIN_ATTRIBUTE,
  VERIFICATION_PLUGIN_MIN_VERSION_ATTRIBUTE,
} from './aws-signer/attributes';
import { awsSignerCertificateHashes } from './aws-signer/certificate-hashes';
import { matchAwsSignerIdentity } from './aws-signer/identity';
import { awsSignerRootCertificates } from './aws-signer/roots';
import { verifyIntegrity } from './envelope/integrity';
import type { VerifiedEnvelope } from './envelope/verified-envelope';
import { invalid, NotationCheckFailure, unsupported } from './failure';
import { verifyAuthenticTimestamp } from './timestamp/authentic-timestamp';
import { verifyAuthenticity } from './trust/authenticity';
import { matchX509Identity } from './trust/x509-identity';
import {
  NOTATION_COSE_MEDIA_TYPE,
  NOTATION_JWS_MEDIA_TYPE,
  type AwsSignerRevocationInput,
  type NotationCheckName,
  type NotationEnvelopeResult,
  type NotationFormat,
  type NotationVerifier,
  type NotationVerifyInput,
} from './types';
import { isoDate } from './x509/certificate';

/** Test seams only; production callers pass nothing. */
export interface NotationVerifyOptions {
  /** Replaces the built-in AWS Signer roots (tests sign with their own root). */
  awsSignerRoots?: readonly Buffer[];
}

/** notation-go's step order; a failure further along is the more telling one to report. */
const CHECK_ORDER: readonly NotationCheckName[] = [
  'integrity',
  'authenticity',
  'trustedIdentity',
  'expiry',
  'authenticTimestamp',
  'revocation',
  'descriptor',
];

/** Messages quote envelope content (subjects, ARNs, header values): one line, capped. */
const MESSAGE_MAX = 600;

interface Passed {
  identity: string;
  awsSigner?: AwsSignerRevocationInput;
}

function formatOf(mediaType: string): NotationFormat | undefined {
  if (mediaType === NOTATION_JWS_MEDIA_TYPE) return 'notation-jws';
  if (mediaType === NOTATION_COSE_MEDIA_TYPE) return 'notation-cose';
  return undefined;
}

function verifyExpiry(envelope: VerifiedEnvelope, now: Date): void {
  const { expiry } = envelope.attributes;
  if (expiry !== undefined && now.getTime() >= expiry.getTime()) {
    throw invalid(
      'expiry',
      `the signature expired at ${isoDate(expiry)} (verification time ${isoDate(now)})`,
    );
  }
}

function verifyDescriptor(envelope: VerifiedEnvelope, input: NotationVerifyInput): void {
  const signed = envelope.target;
  const image = input.target;
  if (signed.digest !== image.digest || signed.size !== image.size || signed.mediaType !== image.mediaType) {
    throw new NotationCheckFailure(
      'descriptor',
      ReasonCode.DIGEST_MISMATCH,
      `the signature is for ${signed.digest} (${signed.size} bytes, ${signed.mediaType}), not for the image ${image.digest} (${image.size} bytes, ${image.mediaType})`,
    );
  }
}

/** Critical plugin attributes need a plugin; this verifier runs none, so the signature is inconclusive = fails. */
function rejectPluginAttributes(envelope: VerifiedEnvelope, accepted: readonly string[]): void {
  const { extended } = envelope.attributes;
  for (const label of [VERIFICATION_PLUGIN_ATTRIBUTE, VERIFICATION_PLUGIN_MIN_VERSION_ATTRIBUTE]) {
    const attribute = extended.get(label);
    // notation-go reads the plugin attributes only as critical ones; present but not critical fails.
    if (attribute !== undefined && !attribute.critical)
      throw unsupported(`"${label}" must be a critical attribute`);
  }
  const plugin = extended.get(VERIFICATION_PLUGIN_ATTRIBUTE);
  if (plugin !== undefined && !accepted.includes(VERIFICATION_PLUGIN_ATTRIBUTE)) {
    throw unsupported(
      `the signature requires the Notation verification plugin ${JSON.stringify(plugin.value)}; plugins are not run here (verification inconclusive)`,
    );
  }
  for (const [label, attribute] of extended) {
    if (attribute.critical && !accepted.includes(label)) {
      throw unsupported(`critical attribute "${label}" is not processed by this verifier`);
    }
  }
}

async function verifyX509(
  verifier: Extract<NotationVerifier, { kind: 'x509' }>,
  envelope: VerifiedEnvelope,
  input: NotationVerifyInput,
): Promise<Passed> {
  rejectPluginAttributes(envelope, []);
  const storeType = envelope.attributes.signingScheme === 'notary.x509' ? 'ca' : 'signingAuthority';
  const storeCertificates = verifier.trustStores
    .filter((s) => s.type === storeType)
    .flatMap((s) => s.certificates);
  verifyAuthenticity(envelope.chain, storeCertificates, storeType);
  const identity = matchX509Identity(verifier.trustedIdentities, envelope.chain[0]!);
  verifyExpiry(envelope, input.now);
  const tsaStores = verifier.trustStores.filter((s) => s.type === 'tsa');
  await verifyAuthenticTimestamp(envelope, {
    tsaCertificates: tsaStores.length === 0 ? undefined : tsaStores.flatMap((s) => s.certificates),
    verifyTimestamp: verifier.verifyTimestamp,
    now: input.now,
  });
  verifyDescriptor(envelope, input);
  return { identity };
}

function stringAttribute(envelope: VerifiedEnvelope, label: string): string {
  const value = envelope.attributes.extended.get(label)?.value;
  if (typeof value !== 'string' || value === '') {
    throw invalid('trustedIdentity', `the AWS Signer signature has no "${label}" attribute`);
  }
  return value;
}

async function verifyAwsSigner(
  verifier: Extract<NotationVerifier, { kind: 'awsSigner' }>,
  envelope: VerifiedEnvelope,
  input: NotationVerifyInput,
  roots: readonly Buffer[],
): Promise<Passed> {
  if (envelope.attributes.signingScheme !== 'notary.x509.signingAuthority') {
    throw invalid(
      'authenticity',
      `AWS Signer signs with notary.x509.signingAuthority, this signature uses ${envelope.attributes.signingScheme}`,
    );
  }
  verifyAuthenticity(envelope.chain, roots, 'signingAuthority');
  const plugin = envelope.attributes.extended.get(VERIFICATION_PLUGIN_ATTRIBUTE);
  if (plugin?.value !== AWS_SIGNER_PLUGIN_NAME) {
    throw unsupported(
      `an AWS Signer signature names the verification plugin ${AWS_SIGNER_PLUGIN_NAME}, this one names ${JSON.stringify(plugin?.value ?? null)}`,
    );
  }
  rejectPluginAttributes(envelope, AWS_SIGNER_CRITICAL_ATTRIBUTES);

  const profileVersionArn = stringAttribute(envelope, AWS_SIGNER_PROFILE_VERSION_ATTRIBUTE);
  const jobArn = stringAttribute(envelope, AWS_SIGNER_JOB_ATTRIBUTE);
  let identity: string | undefined;
  try {
    identity = matchAwsSignerIdentity(verifier.signingProfiles, profileVersionArn);
  } catch (e) {
    throw invalid('trustedIdentity', e instanceof Error ? e.message : String(e));
  }
  if (identity === undefined) {
    throw invalid(
      'trustedIdentity',
      `signing profile version ${profileVersionArn} matches none of the trusted signing profiles ${verifier.signingProfiles.join(', ')}`,
    );
  }
  verifyExpiry(envelope, input.now);
  await verifyAuthenticTimestamp(envelope, {
    tsaCertificates: undefined,
    verifyTimestamp: 'always',
    now: input.now,
  });
  verifyDescriptor(envelope, input);
  return {
    identity,
    awsSigner: {
      profileVersionArn,
      jobArn,
      platformId: AWS_SIGNER_NOTATION_PLATFORM_ID,
      signatureTimestamp: envelope.attributes.signingTime,
      certificateHashes: awsSignerCertificateHashes(envelope.chain.map((c) => c.tbs)),
    },
  };
}

function failed(
  format: NotationFormat | undefined,
  failure: NotationCheckFailure,
  envelope?: VerifiedEnvelope,
  verifierName?: string,
): NotationEnvelopeResult {
  const prefix = verifierName === undefined ? '' : `${verifierName}: `;
  return {
    format,
    ok: false,
    reason: failure.reason,
    message: untrustedText(`${prefix}${failure.check} check failed: ${failure.message}`, MESSAGE_MAX),
    failedCheck: failure.check,
    ...(envelope === undefined ? {} : signedTimes(envelope)),
  };
}

function signedTimes(
  envelope: VerifiedEnvelope,
): Pick<NotationEnvelopeResult, 'signingScheme' | 'signingTime' | 'expiry'> {
  const { attributes } = envelope;
  return {
    signingScheme: attributes.signingScheme,
    signingTime: attributes.signingTime.toISOString(),
    ...(attributes.expiry === undefined ? {} : { expiry: attributes.expiry.toISOString() }),
  };
}

/**
 * Verifies one Notation envelope as notation-go does at the `strict` level (revocation aside: an
 * AWS Signer result carries `awsSigner` for the caller's RevocationChecker). Integrity is checked
 * once; then each of `input.verifiers` in order, and the first that passes is reported; if none does,
 * the failure that got furthest through notation-go's steps. An unexpected internal error throws a
 * GuardError (never a pass).
 */
export async function verifyNotationEnvelope(
  input: NotationVerifyInput,
  options: NotationVerifyOptions = {},
): Promise<NotationEnvelopeResult> {
  const format = formatOf(input.envelopeMediaType);
  let envelope: VerifiedEnvelope;
  try {
    envelope = await verifyIntegrity(input.envelope, input.envelopeMediaType);
  } catch (e) {
    // Whatever the parsers throw on hostile bytes is an unreadable envelope, not an internal error.
    const failure =
      e instanceof NotationCheckFailure
        ? e
        : new NotationCheckFailure(
            'integrity',
            ReasonCode.SIGNATURE_MALFORMED,
            `the envelope cannot be parsed: ${e instanceof Error ? e.message : String(e)}`,
          );
    return failed(format, failure);
  }

  if (input.verifiers.length === 0) {
    return failed(
      envelope.format,
      invalid('authenticity', 'the rule names no Notation signer to verify against'),
      envelope,
    );
  }
  let best: { failure: NotationCheckFailure; verifier: string } | undefined;
  for (const verifier of input.verifiers) {
    try {
      const passed =
        verifier.kind === 'awsSigner'
          ? await verifyAwsSigner(
              verifier,
              envelope,
              input,
              options.awsSignerRoots ?? awsSignerRootCertificates(),
            )
          : await verifyX509(verifier, envelope, input);
      return {
        format: envelope.format,
        ok: true,
        reason: ReasonCode.VERIFIED,
        message: untrustedText(
          `Notation signature verified for ${verifier.name}: ${passed.identity}, signed ${envelope.attributes.signingTime.toISOString()}`,
          MESSAGE_MAX,
        ),
        verifier: verifier.name,
        identity: untrustedText(passed.identity, MESSAGE_MAX),
        ...signedTimes(envelope),
        ...(passed.awsSigner === undefined ? {} : { awsSigner: passed.awsSigner }),
      };
    } catch (e) {
      if (!(e instanceof NotationCheckFailure)) throw toGuardError(e);
      if (best === undefined || CHECK_ORDER.indexOf(e.check) > CHECK_ORDER.indexOf(best.failure.check)) {
        best = { failure: e, verifier: verifier.name };
      }
    }
  }
  return failed(envelope.format, best!.failure, envelope, best!.verifier);
}
