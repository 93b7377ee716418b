import type { RegistryCredentials } from '../types';

/** `Basic base64(user:password)` (RFC 7617). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Decodes `base64(user:password)` (Docker config `auth`, ECR authorizationToken); undefined when malformed. */
export function decodeBasicToken(token: string): { username: string; password: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token.trim())) return undefined;
  const decoded = Buffer.from(token.trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function describeCredentials(credentials: RegistryCredentials | undefined): string {
  if (!credentials) return 'anonymously';
  return credentials.kind === 'basic' ? `as "${credentials.username}"` : 'with an identity token';
}
