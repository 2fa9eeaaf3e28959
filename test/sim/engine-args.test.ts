import { describe, expect, it } from 'vitest';
import { ENGINE_ARGS, ENGINE_DEFAULTS, resolveEngineArgs, SGLANG_ARGS, SGLANG_DEFAULTS } from '../../sim/engine/engine-args.js';
import { EngineArgsJson } from '../../harness/replay/engine-args-schema.js';
import { REPLAY_FLAGS } from '../../harness/replay/replay-flags.js';

// Each engine argument is declared once (sim/engine/engine-args.ts); the defaults, the checks, the
// --engine-args schema and the replay flags that set one all come from that declaration.
describe('engine arguments: one declaration', () => {
  it('the defaults are the declared ones', () => {
    for (const [k, spec] of Object.entries(ENGINE_ARGS)) expect(ENGINE_DEFAULTS[k as keyof typeof ENGINE_ARGS]).toBe(spec.default);
    for (const [k, spec] of Object.entries(SGLANG_ARGS)) expect(SGLANG_DEFAULTS[k as keyof typeof SGLANG_ARGS]).toBe(spec.default);
  });

  it('the JSON schema takes every declared field, and only those', () => {
    const all = Object.fromEntries(Object.entries(ENGINE_ARGS).map(([k, s]) => [k, s.default]));
    expect(EngineArgsJson.safeParse({ ...all, sglang: Object.fromEntries(Object.entries(SGLANG_ARGS).map(([k, s]) => [k, s.default])) }).success).toBe(true);
    expect(EngineArgsJson.safeParse({ num_gpu_blocks_typo: 3 }).success).toBe(false);
    expect(EngineArgsJson.safeParse({ sglang: { schedule_policy: 'fcfs' } }).success).toBe(true); // Dynamo's alias
  });

  it('the schema and resolveEngineArgs enforce the same declared ranges, naming the field', () => {
    const cases: Record<string, unknown>[] = [{ num_gpu_blocks: (1 << 24) + 1 }, { num_g2_blocks: -1 }, { kv_transfer_bandwidth: 0 }, { eviction_policy: 'mru' }, { startup_time: -1 }];
    for (const c of cases) {
      const field = Object.keys(c)[0]!;
      const z = EngineArgsJson.safeParse(c);
      expect(z.success, field).toBe(false);
      if (!z.success) expect(z.error.issues[0]!.path).toEqual([field]);
      expect(() => resolveEngineArgs(c as never), field).toThrow(new RegExp(`engine args: ${field} must be`));
    }
  });

  it('resolves aliases and fills sizes as the servers do', () => {
    expect(resolveEngineArgs({ engine_type: 'sglang', sglang: { schedule_policy: 'fcfs' } }).sglang.schedule_policy).toBe('fifo');
    expect(resolveEngineArgs({}).block_size).toBe(64);
    expect(resolveEngineArgs({ engine_type: 'sglang' }).block_size).toBe(1);
  });

  it('an argument that declares a replay flag has it, with the declared help', () => {
    for (const spec of Object.values(ENGINE_ARGS)) {
      if (!('flag' in spec)) continue;
      const flag = (REPLAY_FLAGS as Record<string, { help: string }>)[spec.flag.name];
      expect(flag?.help, spec.flag.name).toBe(spec.flag.help);
    }
  });
});
