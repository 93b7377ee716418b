/**
 * Glob matchers for a policy, compiled once per policy object and reused for every container.
 */
import { compileGlob, type Glob } from './glob';
import { imageMatchForms } from './image-forms';
import type { Policy, Rule, RuleMatch, TrustedImage } from './schema';

export interface MatchTarget {
  /** Normalised reference with tag and/or digest (image-forms.ts explains how patterns meet it). */
  image: string;
  clusterArn: string;
  clusterName: string;
  /** From `detail.group` = `service:NAME`; absent for tasks not started by a service. */
  service?: string;
  taskDefinitionFamily?: string;
}

interface CompiledRule {
  rule: Rule;
  matches(target: MatchTarget, imageForms: string[]): boolean;
}

interface CompiledPolicy {
  trusted: { entry: TrustedImage; glob: Glob }[];
  rules: CompiledRule[];
}

const compiled = new WeakMap<Policy, CompiledPolicy>();

export function compiledFor(policy: Policy): CompiledPolicy {
  let c = compiled.get(policy);
  if (c === undefined) {
    c = {
      trusted: policy.trustedImages.map((entry) => ({ entry, glob: compileGlob(entry.image) })),
      rules: policy.rules.map(compileRule),
    };
    compiled.set(policy, c);
  }
  return c;
}

export function anyMatches(globs: readonly Glob[], inputs: readonly string[]): boolean {
  return globs.some((g) => inputs.some((input) => g.matches(input)));
}

function compileRule(rule: Rule): CompiledRule {
  const m: RuleMatch = rule.match;
  const clusters = m.clusters?.map(compileGlob);
  const images = m.images?.map(compileGlob);
  const services = m.services?.map(compileGlob);
  const families = m.taskDefinitionFamilies?.map(compileGlob);
  return {
    rule,
    matches(target, imageForms) {
      // All given fields must hold; the patterns of one field are alternatives.
      if (clusters && !anyMatches(clusters, [target.clusterName, target.clusterArn])) return false;
      if (images && !anyMatches(images, imageForms)) return false;
      if (services && (target.service === undefined || !anyMatches(services, [target.service]))) return false;
      if (families) {
        if (target.taskDefinitionFamily === undefined) return false;
        if (!anyMatches(families, [target.taskDefinitionFamily])) return false;
      }
      return true;
    },
  };
}

export { imageMatchForms };
