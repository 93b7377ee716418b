/**
 * The pieces of the distribution reference grammar (distribution/reference `regexp.go`), each
 * as a check that returns what is wrong (or undefined). They are written without nested
 * quantifiers: the grammar's path-component regex backtracks exponentially in JavaScript on
 * inputs such as "aaaa…!" and references come from untrusted events.
 */

/** Maximum length of `registry/repository` (distribution `NameTotalLengthMax`). */
export const NAME_TOTAL_LENGTH_MAX = 255;
const TAG_LENGTH_MAX = 128;

const TAG_GRAMMAR = /^[\w][\w.-]{0,127}$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_CHARS = /^[a-z0-9._-]+$/;
const ALNUM_EDGES = /^[a-z0-9](?:.*[a-z0-9])?$/s;
const SEPARATOR_RUN = /[._-]+/g;
const VALID_SEPARATOR = /^(?:\.|_|__|-+)$/;

export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag after ":" is empty';
  if (tag.length > TAG_LENGTH_MAX) return `the tag is ${tag.length} characters long; the maximum is 128`;
  if (!TAG_GRAMMAR.test(tag)) {
    return (
      `tag "${tag}" is invalid: a tag starts with a letter, digit or "_" and contains only ` +
      'letters, digits, "_", "." and "-"'
    );
  }
  return undefined;
}

/** One `/`-separated component of a repository path. */
function pathComponentProblem(component: string): string | undefined {
  if (component === '')
    return 'the repository path has an empty component (check for "//" or a trailing "/")';
  if (/[A-Z]/.test(component))
    return `repository path "${component}" contains upper-case letters; it must be lower case`;
  if (!PATH_CHARS.test(component)) {
    const bad = [...component].find((c) => !/[a-z0-9._-]/.test(c)) ?? '?';
    return `repository path component "${component}" contains "${bad}"; allowed are a-z, 0-9, ".", "_" and "-"`;
  }
  if (component.includes('..')) return `repository path component "${component}" contains ".."`;
  if (!ALNUM_EDGES.test(component)) {
    return `repository path component "${component}" must start and end with a lower-case letter or digit`;
  }
  for (const run of component.match(SEPARATOR_RUN) ?? []) {
    if (!VALID_SEPARATOR.test(run)) {
      return (
        `repository path component "${component}" has the separator "${run}"; separators are ` +
        '".", "_", "__" or dashes, each between letters or digits'
      );
    }
  }
  return undefined;
}

/** A whole repository path (`library/nginx`, `team/app/api`). */
export function repositoryProblem(repository: string): string | undefined {
  if (repository === '') return 'the repository path is empty';
  for (const component of repository.split('/')) {
    const problem = pathComponentProblem(component);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * A registry host with optional port: DNS name, IPv4, or `[IPv6]`. Returns what is wrong.
 * The port, when given, must be 1–65535 (the grammar allows any digits; no registry listens on 0).
 */
export function registryHostProblem(domain: string): string | undefined {
  const split = domain.startsWith('[') ? splitIpv6Host(domain) : splitNamedHost(domain);
  if (typeof split === 'string') return split;
  const port = split.port;
  if (port !== undefined) {
    if (port === '') return `registry host "${domain}" ends with ":" but has no port number`;
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      return `registry port "${port}" must be a number from 1 to 65535`;
    }
  }
  return undefined;
}

/** `[address]` or `[address]:port`; returns the port or what is wrong. */
function splitIpv6Host(domain: string): { port?: string } | string {
  const close = domain.indexOf(']');
  if (close === -1) return `registry host "${domain}" has "[" without a closing "]"`;
  const address = domain.slice(1, close);
  // node:net on first use only: loading it costs the Lambda's cold start ~4 ms, and bracketed IPv6
  // registry hosts are rare.
  const { isIPv6 } = require('node:net') as typeof import('node:net');
  if (!isIPv6(address)) return `registry host "${domain}": "${address}" is not an IPv6 address`;
  const rest = domain.slice(close + 1);
  if (rest === '') return {};
  if (!rest.startsWith(':')) return `registry host "${domain}" has "${rest}" after "]"`;
  return { port: rest.slice(1) };
}

/** `name` or `name:port` with a DNS name or IPv4 address; returns the port or what is wrong. */
function splitNamedHost(domain: string): { port?: string } | string {
  const colon = domain.indexOf(':');
  const host = colon === -1 ? domain : domain.slice(0, colon);
  if (host === '') return `registry host "${domain}" has an empty host name`;
  for (const component of host.split('.')) {
    if (!DOMAIN_COMPONENT.test(component)) {
      return (
        `registry host "${domain}" is invalid: "${component}" is not a DNS label ` +
        '(letters, digits and "-", not at either end)'
      );
    }
  }
  return colon === -1 ? {} : { port: domain.slice(colon + 1) };
}
