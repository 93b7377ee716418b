import {
  EXPIRING_SOON_DAYS,
  exemptionExpiries,
  exemptionLabel,
  exemptionSubject,
} from '../lambda/policy/exemptions';
import { isAwsSignerKey, isNotationSigner } from '../lambda/policy/key-kind';
import { revocationCacheMinutes } from '../lambda/policy/notation-revocation';
import type { NotationPolicySigner, Policy, Rule } from '../lambda/policy/schema';
import { stopScope } from './guard-permissions';
import type { ResolvedPolicy } from './guard-policy';

/**
 * What the deployed policy does, in a few lines for the person running `cdk synth`: where it stops
 * tasks, where it only alerts, what happens to images no rule matches and to errors. Printed as a CDK
 * info annotation, so a typo'd or forgotten policy shows before anything is deployed. Every exemption
 * is listed with its expiry (`nowMs`: synth time); those expiring within 7 days are marked so.
 */
export function describePolicy(resolved: ResolvedPolicy, nowMs: number = Date.now()): string[] {
  const { policy } = resolved;
  const lines = [
    resolved.source === 'default'
      ? 'policy: the DEFAULT policy (no policy file given): audit mode, every image must be signed by the ' +
        'created signing key; nothing is stopped, every failure is alerted'
      : `policy: ${resolved.source} (sha256 ${resolved.sha256.slice(0, 12)}…)`,
  ];
  for (const rule of policy.rules) lines.push(`rule ${rule.name}: ${ruleAction(rule)} ${ruleWhere(rule)}`);
  for (const signer of policy.keys.filter(isNotationSigner)) lines.push(describeSigner(signer, policy));
  if (policy.trustedImages.length > 0) {
    lines.push(
      `trusted images (not verified, still recorded): ${policy.trustedImages.map((t) => t.image).join(', ')}`,
    );
  }
  lines.push(...describeExemptions(policy, nowMs));
  lines.push(`images no rule matches: ${noMatchAction(policy)}`);
  lines.push(
    `verification errors (onError: ${policy.onError}): ` +
      (policy.onError === 'stop'
        ? 'the task is stopped where the failing rule enforces, alerted where it audits'
        : 'alerted, the task keeps running'),
  );
  const stoppable = stopScope(policy, resolved.scope);
  lines.push(
    stoppable === undefined
      ? 'may stop tasks in: no cluster (nothing enforces; no ecs:StopTask permission)'
      : `may stop tasks in: ${stoppable.allClusters ? 'every cluster of this account and region' : stoppable.clusterPatterns.join(', ')}`,
  );
  return lines;
}

/** A Notation signer: what it trusts, and whether revocation is checked (AWS Signer) or not (X.509). */
function describeSigner(signer: NotationPolicySigner, policy: Policy): string {
  const used = policy.rules.some((r) => r.keys.includes(signer.name)) ? '' : ' (no rule uses it)';
  if (isAwsSignerKey(signer)) {
    const minutes = revocationCacheMinutes(policy);
    return (
      `Notation signer ${signer.name}${used}: AWS Signer signatures by ${signer.awsSigner.signingProfiles.join(', ')}; ` +
      `revocation checked with signer:GetRevocationStatus (answers reused for ${minutes} min)`
    );
  }
  const stores = signer.notation.trustStores.map((s) => `${s.type}:${s.name}`).join(', ');
  const who = signer.notation.trustedIdentities.join('; ');
  return (
    `Notation signer ${signer.name}${used}: X.509 trust stores ${stores}, identities ${who}; ` +
    'revocation NOT checked (no OCSP/CRL yet)'
  );
}

function ruleAction(rule: Rule): string {
  return rule.mode === 'enforce' ? 'ENFORCES (stops failing tasks)' : 'audits (alerts only)';
}

function ruleWhere(rule: Rule): string {
  const { clusters, services, taskDefinitionFamilies, images } = rule.match;
  return [
    `in clusters ${clusters?.join(', ') ?? '(all)'}`,
    ...(services === undefined ? [] : [`services ${services.join(', ')}`]),
    ...(taskDefinitionFamilies === undefined
      ? []
      : [`task definition families ${taskDefinitionFamilies.join(', ')}`]),
    `for images ${images?.join(', ') ?? '(all)'}`,
  ].join(', ');
}

function noMatchAction(policy: Policy): string {
  if (policy.noMatch === 'allow') return 'allowed without verification (noMatch: allow)';
  return policy.mode === 'enforce'
    ? 'DENIED and the task stopped, in every cluster (noMatch: deny, top-level mode enforce)'
    : 'denied and alerted, never stopped (noMatch: deny, top-level mode audit)';
}

function describeExemptions(policy: Policy, nowMs: number): string[] {
  const expiries = exemptionExpiries(policy, nowMs);
  if (expiries.length === 0) return [];
  const soon = expiries.filter((e) => e.soon);
  const lines = [
    `exemptions (break-glass: a denied or failed container they cover is allowed and alerted): ${expiries.length}` +
      (soon.length > 0
        ? `; EXPIRING WITHIN ${EXPIRING_SOON_DAYS} DAYS: ${soon.map((e) => exemptionLabel(e.index, e.exemption)).join(', ')}`
        : ''),
  ];
  for (const e of expiries) {
    const what = `exemption ${exemptionLabel(e.index, e.exemption)} for ${exemptionSubject(e.exemption)} in clusters ${e.exemption.clusters.join(', ')}`;
    const when = e.expired
      ? `EXPIRED at ${e.exemption.until} (ignored by the guard; remove it)`
      : e.soon
        ? `expires within ${EXPIRING_SOON_DAYS} days, at ${e.exemption.until} (in ${hoursLeft(e.untilMs - nowMs)})`
        : `until ${e.exemption.until}`;
    lines.push(`${what}: ${when}`);
  }
  return lines;
}

function hoursLeft(ms: number): string {
  const hours = Math.floor(ms / 3600_000);
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : `${hours} hours`;
}
