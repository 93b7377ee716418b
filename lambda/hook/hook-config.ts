/**
 * The hook Lambda's environment: the guard's (guard/config.ts) plus the hook's timing, validated once
 * at start. The construct sets the hook timeout it wrote into the service's TimeoutConfiguration, so
 * the function answers before ECS's timeout action applies.
 */
import * as z from 'zod/mini';
import { loadConfig, type GuardConfig } from '../guard/config';
import type { HookTiming } from './hook-answer';

const seconds = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,6}$/, 'must be a whole number of seconds')),
    z.pipe(
      z.transform((v: string) => Number(v)),
      z.number().check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)),
    ),
  );

const HookEnvSchema = z.object({
  // ECS allows 1 to 1440 minutes; the construct's default is 30.
  IMAGE_GUARD_HOOK_TIMEOUT_SECONDS: seconds(60, 1440 * 60),
  IMAGE_GUARD_HOOK_CALLBACK_DELAY_SECONDS: z._default(seconds(1, 3600), 30),
  // The function's timeout: one invocation's share of the bound.
  IMAGE_GUARD_HOOK_INVOCATION_SECONDS: z._default(seconds(1, 900), 60),
});

export interface HookConfig extends GuardConfig {
  timing: HookTiming;
}

export function loadHookConfig(env: NodeJS.ProcessEnv, baseDir: string): HookConfig {
  const guard = loadConfig(env, baseDir);
  const parsed = HookEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid Lambda environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    ...guard,
    timing: {
      hookTimeoutMs: e.IMAGE_GUARD_HOOK_TIMEOUT_SECONDS * 1000,
      callBackDelaySeconds: e.IMAGE_GUARD_HOOK_CALLBACK_DELAY_SECONDS,
      invocationMs: e.IMAGE_GUARD_HOOK_INVOCATION_SECONDS * 1000,
    },
  };
}
