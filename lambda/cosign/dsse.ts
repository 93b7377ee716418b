/**
 * DSSE pre-authentication encoding, the bytes a DSSE signature is over:
 * `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths as decimal byte counts.
 */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const header = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return Buffer.concat([header, payload]);
}
