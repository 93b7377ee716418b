/**
 * The signed attributes of an AWS Signer Notation signature, kept in ONE place because the exact
 * `crit` list of a real AWS Signer envelope is inferred (no envelope bytes are public): the service
 * signs `io.cncf.notary.verificationPlugin` (critical, notation needs it to route to the plugin) and the
 * two `com.amazonaws.signer.*` attributes the plugin always reports as processed, so both may be critical.
 * Any other critical extended attribute fails verification.
 */
export const AWS_SIGNER_PLUGIN_NAME = 'com.amazonaws.signer.notation.plugin';
export const AWS_SIGNER_PROFILE_VERSION_ATTRIBUTE = 'com.amazonaws.signer.signingProfileVersion';
export const AWS_SIGNER_JOB_ATTRIBUTE = 'com.amazonaws.signer.signingJob';
/** GetRevocationStatus `platformId` for Notation container images (ES384, P-384 leaf). */
export const AWS_SIGNER_NOTATION_PLATFORM_ID = 'Notation-OCI-SHA384-ECDSA';

export const VERIFICATION_PLUGIN_ATTRIBUTE = 'io.cncf.notary.verificationPlugin';
export const VERIFICATION_PLUGIN_MIN_VERSION_ATTRIBUTE = 'io.cncf.notary.verificationPluginMinVersion';

/** Critical extended attributes an AWS Signer verifier processes itself (in place of the plugin). */
export const AWS_SIGNER_CRITICAL_ATTRIBUTES: readonly string[] = [
  VERIFICATION_PLUGIN_ATTRIBUTE,
  AWS_SIGNER_PROFILE_VERSION_ATTRIBUTE,
  AWS_SIGNER_JOB_ATTRIBUTE,
];

/**
 * Every critical extended attribute this verifier recognises at all; anything else critical is an
 * unknown critical attribute and fails (spec: "Extended attributes"). The plugin's minimum version is
 * recognised only so that it can be reported as needing a plugin.
 */
export const RECOGNISED_CRITICAL_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...AWS_SIGNER_CRITICAL_ATTRIBUTES,
  VERIFICATION_PLUGIN_MIN_VERSION_ATTRIBUTE,
]);
