const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict standard base64 (padded), as Go's `base64.StdEncoding` decodes it: CR and LF are ignored
 * (cosign writes MIME-wrapped signatures for some signers), everything else must be alphabet or
 * padding. Returns undefined for invalid or empty input — Node's own decoder would silently skip junk.
 */
export function decodeBase64Strict(
  text: string,
  options: { allowLineBreaks?: boolean } = {},
): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const compact = options.allowLineBreaks ? text.replace(/[\r\n]/g, '') : text;
  if (compact === '' || !STD_BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}
