/**
 * The sweep on the one composition root: composeGuard builds the engine, lookups, enforcer, ledger and
 * memory exactly as for the event path; this only adds the sweep's own parts.
 */
import { composeGuard, type GuardComposition, type GuardCompositionOptions } from '../guard/composition';
import { InMemoryDecisionMemory } from './decision-memory';
import { Sweep, type SweepDeps } from './sweep';

export interface SweepCompositionOptions extends GuardCompositionOptions {
  sweep?: Partial<Pick<SweepDeps, 'bucket' | 'concurrency' | 'settleMs' | 'now' | 'newId'>>;
}

export interface SweepComposition extends GuardComposition {
  sweep: Sweep;
}

export function composeSweep(options: SweepCompositionOptions): SweepComposition {
  const composition = composeGuard(options);
  // Without a table (tests, the bench) the memory lives as long as the process.
  const memory = composition.memory ?? new InMemoryDecisionMemory();
  const sweep = new Sweep({
    evaluator: composition.evaluator,
    enforcer: composition.enforcer,
    memory,
    ecs: composition.ecs,
    logger: options.logger,
    metrics: options.metrics,
    verifyDeadlineMs: options.verifyDeadlineMs,
    ...(options.now ? { now: options.now } : {}),
    ...(options.newId ? { newId: options.newId } : {}),
    ...options.sweep,
  });
  return { ...composition, memory, sweep };
}
