import { boundedFetch } from './bounded-fetch.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { z } from 'zod';
import { applyAnswer } from './answer.js';
import { buildPrompt } from './prompt.js';
import type { Proposal, ProposeContext, Proposer } from './proposer.js';

/** US dollars per million tokens (input, output). Override with `prices`. Unknown models cost 0 and say so. */
export const DEFAULT_PRICES: Record<string, { input: number; output: number }> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'o4-mini': { input: 1.1, output: 4.4 },
};

export interface WeightedModel { name: string; weight: number }

/** Parses `a` or `a:0.7,b:0.3` into models with weights. */
export function parseModels(spec: string): WeightedModel[] {
  const out = spec.split(',').map((part) => {
    const [name, w] = part.trim().split(/:(?=[-+\d.eE]+$)/);
    const weight = w === undefined ? 1 : Number(w);
    if (!name || !Number.isFinite(weight) || weight <= 0) throw new Error(`--model: "${part}" is not NAME or NAME:WEIGHT with a positive weight`);
    return { name, weight };
  });
  if (out.length === 0) throw new Error('--model: no model given');
  return out;
}

/** What we rely on in a chat-completions answer; anything else is a recorded failure, not a crash. */
const ChatResponse = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).optional(),
});

/** An answer longer than this is refused (a whole module plus prose fits in a few tens of KB). */
const MAX_ANSWER_CHARS = 256 * 1024;
/** The whole HTTP response: the answer's 256 KB as JSON-escaped text, with room to spare. */
const MAX_RESPONSE_BYTES = 8 << 20;
/** What the transcript keeps of a refused, oversized answer. */
const KEPT_OF_OVERSIZED = 16 * 1024;

const Transcript = z.object({ key: z.string(), model: z.string(), prompt: z.string(), answer: z.string(), promptTokens: z.number(), completionTokens: z.number() });
type Transcript = z.infer<typeof Transcript>;

export interface LlmProposerOptions {
  baseURL?: string;
  apiKey: string;
  models: WeightedModel[];
  /** Hard deadline of one call, retries included (ms). */
  deadlineMs?: number;
  /** Retries on 429, 5xx and connection errors, with the SDK's exponential backoff. */
  maxRetries?: number;
  prices?: Record<string, { input: number; output: number }>;
  temperature?: number;
  /** Every prompt and answer is written here; with `replay`, answers are read from here instead of asked. */
  transcriptDir?: string;
  replay?: boolean;
}

/**
 * Proposes candidates by asking an OpenAI-compatible chat endpoint with prompts/<kind>.md, and applies
 * the answer (SEARCH/REPLACE edits or a whole module) to the parent.
 */
export class LlmProposer implements Proposer {
  readonly name = 'llm';
  private readonly client: OpenAI;
  private readonly prices: Record<string, { input: number; output: number }>;
  private readonly recorded = new Map<string, Transcript>();
  readonly unpricedModels = new Set<string>();

  get label(): string {
    const total = this.opt.models.reduce((a, m) => a + m.weight, 0);
    const models = this.opt.models.map((m) => (this.opt.models.length > 1 ? `${m.name} ${Math.round((m.weight / total) * 100)}%` : m.name)).join(', ');
    return `llm ${models}${this.opt.replay ? ' (replayed)' : ''}`;
  }

  constructor(private readonly opt: LlmProposerOptions) {
    this.client = new OpenAI({
      apiKey: opt.apiKey, ...(opt.baseURL ? { baseURL: opt.baseURL } : {}), maxRetries: opt.maxRetries ?? 4, timeout: opt.deadlineMs ?? 120_000,
      fetch: boundedFetch(MAX_RESPONSE_BYTES),
    });
    this.prices = { ...DEFAULT_PRICES, ...(opt.prices ?? {}) };
    if (opt.transcriptDir && opt.replay) {
      if (!existsSync(opt.transcriptDir)) throw new Error(`${opt.transcriptDir}: no LLM transcripts to replay`);
      for (const f of readdirSync(opt.transcriptDir).filter((x) => x.endsWith('.json'))) {
        const t = Transcript.parse(JSON.parse(readFileSync(join(opt.transcriptDir, f), 'utf8')));
        this.recorded.set(t.key, t);
      }
    }
  }

  private pick(ctx: ProposeContext): string {
    const total = this.opt.models.reduce((s, m) => s + m.weight, 0);
    let x = ctx.rng.next() * total;
    for (const m of this.opt.models) if ((x -= m.weight) < 0) return m.name;
    return this.opt.models[this.opt.models.length - 1]!.name;
  }

  costUsd(model: string, promptTokens: number, completionTokens: number): number {
    const p = this.prices[model];
    if (!p) {
      this.unpricedModels.add(model);
      return 0;
    }
    return (promptTokens * p.input + completionTokens * p.output) / 1e6;
  }

  async propose(ctx: ProposeContext): Promise<Proposal> {
    const model = this.pick(ctx);
    const prompt = buildPrompt(ctx);
    const key = createHash('sha256').update(`${model}\0${prompt}`).digest('hex').slice(0, 24);
    const name = `llm:${model}`;
    let answer: string, promptTokens = 0, completionTokens = 0;
    const replayed = this.recorded.get(key);
    if (this.opt.replay) {
      if (!replayed) return { ok: false, proposer: name, error: `replay: no recorded answer for this prompt (key ${key})` };
      ({ answer, promptTokens, completionTokens } = replayed);
    } else {
      try {
        const raw: unknown = await this.client.chat.completions.create(
          { model, messages: [{ role: 'user', content: prompt }], ...(this.opt.temperature !== undefined ? { temperature: this.opt.temperature } : {}) },
          { signal: ctx.signal ? AbortSignal.any([AbortSignal.timeout(this.opt.deadlineMs ?? 120_000), ctx.signal]) : AbortSignal.timeout(this.opt.deadlineMs ?? 120_000) },
        );
        const r = ChatResponse.safeParse(raw);
        if (!r.success) return { ok: false, proposer: name, error: `malformed response: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}` };
        answer = r.data.choices[0]!.message.content ?? '';
        promptTokens = r.data.usage?.prompt_tokens ?? 0;
        completionTokens = r.data.usage?.completion_tokens ?? 0;
      } catch (e) {
        const err = e as Error & { status?: number };
        // the client reports a refused or broken transfer as "Connection error."; the reason is its cause
        const cause = err.cause instanceof Error ? ` (${err.cause.message.split('\n')[0]})` : '';
        return { ok: false, proposer: name, error: `LLM call failed${err.status ? ` (HTTP ${err.status})` : ''}: ${err.message.split('\n')[0]}${cause}` };
      }
      const oversized = answer.length > MAX_ANSWER_CHARS ? answer.length : 0;
      if (oversized) answer = `${answer.slice(0, KEPT_OF_OVERSIZED)}\n… (${oversized} characters in all; cut here)`;
      if (this.opt.transcriptDir) {
        mkdirSync(this.opt.transcriptDir, { recursive: true });
        const t: Transcript = { key, model, prompt, answer, promptTokens, completionTokens };
        writeFileSync(join(this.opt.transcriptDir, `${ctx.id}-${key}.json`), JSON.stringify(t, null, 1) + '\n');
      }
      if (oversized) {
        const tokens = promptTokens + completionTokens;
        return { ok: false, proposer: name, error: `unusable answer: ${oversized} characters, over the ${MAX_ANSWER_CHARS} an answer may have (a candidate module is at most 64 KB)`, tokens, usd: this.costUsd(model, promptTokens, completionTokens) };
      }
    }
    const tokens = promptTokens + completionTokens;
    const usd = this.costUsd(model, promptTokens, completionTokens);
    const applied = applyAnswer(ctx.parent.source, answer);
    if (!applied.ok) return { ok: false, proposer: name, error: `unusable answer: ${applied.error}`, tokens, usd };
    return { ok: true, proposer: name, source: applied.source, description: applied.summary, tokens, usd };
  }
}
