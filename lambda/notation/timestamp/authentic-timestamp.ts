import { invalid } from '../failure';
import type { VerifiedEnvelope } from '../envelope/verified-envelope';
import { isoDate, type ParsedCertificate } from '../x509/certificate';
import { verifyTimestampToken } from './rfc3161';

export interface AuthenticTimestampOptions {
  /** Certificates of the verifier's `tsa` stores; undefined when it has no `tsa` store at all. */
  tsaCertificates: readonly Buffer[] | undefined;
  verifyTimestamp: 'always' | 'afterCertExpiry';
  now: Date;
}

function within(time: Date, cert: ParsedCertificate): boolean {
  return time.getTime() >= cert.notBefore.getTime() && time.getTime() <= cert.notAfter.getTime();
}

function validity(cert: ParsedCertificate): string {
  return `"${cert.subject}" (valid ${isoDate(cert.notBefore)} to ${isoDate(cert.notAfter)})`;
}

/**
 * notation-go verifyAuthenticTimestamp. signingAuthority: the authentic signing time must lie inside
 * every chain certificate's validity (the current time is not checked: AWS Signer leafs live ~3 days).
 * notary.x509: with a `tsa` store (and `always`, or `afterCertExpiry` with an expired chain
 * certificate) a verified RFC 3161 token is required and [genTime − accuracy, genTime + accuracy]
 * must lie inside every validity; otherwise the current time must.
 */
export async function verifyAuthenticTimestamp(
  envelope: VerifiedEnvelope,
  options: AuthenticTimestampOptions,
): Promise<void> {
  const { chain, attributes } = envelope;
  if (attributes.signingScheme === 'notary.x509.signingAuthority') {
    const outside = chain.find((cert) => !within(attributes.signingTime, cert));
    if (outside !== undefined) {
      throw invalid(
        'authenticTimestamp',
        `certificate ${validity(outside)} was not valid at the authentic signing time ${isoDate(attributes.signingTime)}`,
      );
    }
    return;
  }

  const { now } = options;
  let performTimestamp = options.tsaCertificates !== undefined;
  if (performTimestamp && options.verifyTimestamp === 'afterCertExpiry') {
    performTimestamp = chain.some((cert) => now.getTime() > cert.notAfter.getTime());
  }
  if (!performTimestamp) {
    const outside = chain.find((cert) => !within(now, cert));
    if (outside !== undefined) {
      throw invalid(
        'authenticTimestamp',
        `certificate ${validity(outside)} is not valid at verification time ${isoDate(now)} and no trusted timestamp applies (no tsa trust store)`,
      );
    }
    return;
  }

  if (envelope.timestampToken === undefined) {
    throw invalid(
      'authenticTimestamp',
      'the policy requires an RFC 3161 timestamp (tsa trust store) but the signature has none',
    );
  }
  const timestamp = await verifyTimestampToken(
    envelope.timestampToken,
    envelope.signature,
    options.tsaCertificates ?? [],
  );
  const earliest = new Date(timestamp.genTime.getTime() - timestamp.accuracyMs);
  const latest = new Date(timestamp.genTime.getTime() + timestamp.accuracyMs);
  for (const cert of chain) {
    if (!within(earliest, cert) || !within(latest, cert)) {
      throw invalid(
        'authenticTimestamp',
        `the timestamp [${isoDate(earliest)}, ${isoDate(latest)}] is not inside the validity of certificate ${validity(cert)}`,
      );
    }
  }
}
