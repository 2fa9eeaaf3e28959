import { z } from 'zod';

/**
 * A scenario: workload × cluster × hardware/model × timing × seed — one replay a policy is scored
 * on. Plain JSON-able data, validated with zod, so the same object configures a host replay and the
 * sandbox.
 */
const posInt = z.number().int().positive();

export const TraceWorkload = z.strictObject({
  source: z.literal('trace'),
  /** Path relative to the repository root, e.g. data/traces/conversation_trace.jsonl. */
  file: z.string().min(1),
  format: z.enum(['mooncake', 'azure']).optional(),
  traceBlockSize: posInt.default(512),
  arrivalSpeedupRatio: z.number().positive().default(1),
  /** Closed-loop concurrency instead of timestamps. */
  concurrency: posInt.optional(),
  /** Use only the first N requests (quick scenarios). */
  maxRequests: posInt.optional(),
});

export const SyntheticWorkload = z.strictObject({
  source: z.literal('synthetic'),
  requests: posInt,
  isl: posInt,
  osl: posInt,
  arrival: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('fixed'), intervalMs: z.number().nonnegative() }),
    z.strictObject({ kind: z.literal('poisson'), ratePerSec: z.number().positive() }),
    z.strictObject({ kind: z.literal('burst') }),
  ]),
  sharedPrefixRatio: z.number().min(0).max(1).optional(),
  numPrefixGroups: posInt.optional(),
  turnsPerSession: posInt.optional(),
  interTurnDelayMs: z.number().nonnegative().optional(),
  seed: z.number().int().nonnegative().optional(),
});

export const Hardware = z.discriminatedUnion('timing', [
  z.strictObject({ timing: z.literal('dynamo-poly') }),
  z.strictObject({
    timing: z.literal('roofline'),
    gpu: z.string(),
    model: z.string(),
    tp: z.number().int().min(1).max(8),
    weightDtype: z.enum(['bf16', 'fp8']).default('bf16'),
    kvDtype: z.enum(['bf16', 'fp8']).default('bf16'),
  }),
]);

export const Scenario = z.strictObject({
  /** Lower-case words joined by dashes, e.g. conversation-8x-h200-llama70b-tp4. */
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by dashes'),
  description: z.string().min(1),
  /** The policy kind this scenario scores. */
  kind: z.enum(['router', 'planner', 'eviction']),
  /** Held-out scenarios confirm a candidate; they are not searched on. */
  heldOut: z.boolean().default(false),
  workload: z.discriminatedUnion('source', [TraceWorkload, SyntheticWorkload]),
  cluster: z.strictObject({
    workers: posInt,
    /** Engine args with Dynamo's field names (see twinsearch replay --engine-args). */
    engine: z.record(z.string(), z.unknown()).default({}),
    /** Router for scenarios that do not score a router. */
    router: z.enum(['round_robin', 'random', 'kv']).default('kv'),
    routerConfig: z.record(z.string(), z.unknown()).default({}),
    /** Planner settings (planner scenarios): Dynamo's planner field names. */
    planner: z.record(z.string(), z.unknown()).optional(),
  }),
  hardware: Hardware.default({ timing: 'dynamo-poly' }),
  seed: z.number().int().nonnegative().default(42),
  /** Seed of the arrival jitter of a replica (sim/workload/arrival-jitter.ts); 0 = the arrivals as defined. */
  arrivalJitterSeed: z.number().int().nonnegative().default(0),
});
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

/** Validates a scenario definition; errors name the field. */
export function defineScenario(input: ScenarioInput): Scenario {
  const r = Scenario.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const name = typeof (input as { name?: unknown }).name === 'string' ? (input as { name: string }).name : '?';
    throw new Error(`scenario ${name}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

const replicas = new WeakMap<Scenario, Scenario[]>();

/**
 * Replica i of a scenario: the same workload and cluster with tie-break seed `seed + i` and arrival
 * jitter i + 1. Every replica is jittered, replica 0 too: a trace that stamps a burst with one instant
 * would otherwise make replica 0 a systematic outlier (all its burst's requests meet at once) rather than
 * one draw of the same noise. The same object is returned for the same (s, i), so its workload is built
 * and hashed once.
 */
export function replicaOf(s: Scenario, i: number): Scenario {
  let list = replicas.get(s);
  if (!list) replicas.set(s, (list = []));
  return (list[i] ??= { ...s, seed: s.seed + i, arrivalJitterSeed: i + 1 });
}
