/**
 * The messages between the supervisor (harness/sandbox/supervisor.ts) and an evaluation process
 * (harness/sandbox/eval-process.ts), checked with zod on arrival on both sides: a child that went
 * wrong must not hand the parent something it then trusts.
 */
import { z } from 'zod';

const typed = <T>(ctor: abstract new (...args: never[]) => T) => z.custom<T>((v) => v instanceof ctor, { message: `expected ${ctor.name}` });
type Arrays = import('../../sim/sandbox-entry.js').WorkloadArrays;

export const EvalJob = z.strictObject({
  id: z.number().int().nonnegative(),
  source: z.string(),
  file: z.string(),
  /** SandboxInput.spec as JSON. */
  spec: z.string(),
  arrays: z.strictObject({
    sessionStart: typed<Arrays['sessionStart']>(Int32Array), timeMs: typed<Arrays['timeMs']>(Float64Array),
    inputLength: typed<Arrays['inputLength']>(Int32Array), outputLength: typed<Arrays['outputLength']>(Int32Array),
    contentStart: typed<Arrays['contentStart']>(Int32Array), contentIds: typed<Arrays['contentIds']>(Uint32Array),
    sourceLine: typed<Arrays['sourceLine']>(Int32Array),
  }),
  limits: z.strictObject({ cpuMs: z.number().positive().optional(), memoryMb: z.number().positive().optional() }),
});
export type EvalJob = z.infer<typeof EvalJob>;

const Location = z.strictObject({ file: z.string(), line: z.number(), column: z.number(), lineText: z.string() });
const Failure = z.strictObject({
  ok: z.literal(false),
  kind: z.enum(['syntax', 'type', 'import', 'size', 'timeout', 'memory', 'runtime', 'invalid-decision', 'invariant', 'nondeterminism', 'wrong-kind', 'crashed', 'cancelled']),
  message: z.string(),
  location: Location.optional(),
});
const Success = z.strictObject({
  ok: z.literal(true),
  reportJson: z.string(),
  timings: z.strictObject({ bundleMs: z.number(), compileMs: z.number(), runMs: z.number() }),
});

export const EvalReply = z.strictObject({ id: z.number().int().nonnegative(), result: z.discriminatedUnion('ok', [Failure, Success]) });
export type EvalReply = z.infer<typeof EvalReply>;

/** The child's first message: it is up and listening. */
export const EvalReady = z.strictObject({ ready: z.literal(true) });
