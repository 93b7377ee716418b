/**
 * The `rel="next"` target of a `Link` header (RFC 8288), resolved against the request URL;
 * undefined when there is none or it is not a URL. Pure.
 */
export function nextLink(header: string | null, base: URL): URL | undefined {
  if (!header) return undefined;
  const linkValue = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
  for (let m = linkValue.exec(header); m !== null; m = linkValue.exec(header)) {
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!relations.includes('next')) continue;
    try {
      return new URL(m[1] ?? '', base);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
