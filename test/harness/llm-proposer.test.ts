import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { Prng } from '../../sim/core/prng.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineObjective } from '../../objectives/objective.js';
import { SandboxEvaluator } from '../../harness/bench/evaluator.js';
import { applyAnswer } from '../../harness/propose/answer.js';
import { LlmProposer, parseModels } from '../../harness/propose/llm-proposer.js';
import { RunLog } from '../../harness/runlog/run-log.js';
import { runSearch } from '../../harness/search/search-loop.js';

const parent = `export default defineRouter({\n  cost: (req, w) => {\n    const a = 1.0 * w.x;\n    return a + w.y;\n  },\n});\n`;

describe('LLM answers', () => {
  it('applies SEARCH/REPLACE edits, tolerating indentation drift', () => {
    const r = applyAnswer(parent, 'Weigh x more.\n<<<<<<< SEARCH\nconst a = 1.0 * w.x;\n=======\n    const a = 2 * w.x;\n>>>>>>> REPLACE\n');
    expect(r).toMatchObject({ ok: true, summary: 'Weigh x more.' });
    if (r.ok) expect(r.source).toContain('    const a = 2 * w.x;\n    return a + w.y;');
  });
  it('takes a whole module in a fence', () => {
    const r = applyAnswer(parent, 'New:\n```ts\nexport default defineRouter({ cost: () => 0 });\n```\n');
    expect(r).toMatchObject({ ok: true, source: 'export default defineRouter({ cost: () => 0 });\n' });
  });
  it('names what is wrong with an unusable answer', () => {
    expect(applyAnswer(parent, 'I would weigh x more.')).toMatchObject({ ok: false, error: expect.stringMatching(/neither SEARCH\/REPLACE/) });
    expect(applyAnswer(parent, '<<<<<<< SEARCH\nconst b = 3;\n=======\nconst b = 4;\n>>>>>>> REPLACE')).toMatchObject({ ok: false, error: expect.stringMatching(/edit 1: SEARCH text not found/) });
    expect(applyAnswer(parent + parent, '<<<<<<< SEARCH\nconst a = 1.0 * w.x;\n=======\nconst a = 2;\n>>>>>>> REPLACE')).toMatchObject({ ok: false, error: expect.stringMatching(/more than once/) });
  });
  it('parses weighted model lists', () => {
    expect(parseModels('a:0.7, b:0.3')).toEqual([{ name: 'a', weight: 0.7 }, { name: 'b', weight: 0.3 }]);
    expect(parseModels('org/model-7b')).toEqual([{ name: 'org/model-7b', weight: 1 }]);
    expect(() => parseModels('a:-1')).toThrow(/positive weight/);
  });
});

/** A real HTTP server speaking the OpenAI chat-completions protocol, scripted per call. */
describe('LLM proposer against an OpenAI-compatible server', () => {
  const script: ((res: ServerResponse) => void)[] = [];
  const prompts: string[] = [];
  let calls = 0;
  let url = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls++;
      expect(req.url).toBe('/v1/chat/completions');
      const msg = JSON.parse(body) as { model: string; messages: { content: string }[] };
      prompts.push(msg.messages[0]!.content);
      const next = script.shift();
      if (next) next(res);
      else { res.writeHead(500); res.end('script exhausted'); }
    });
  });
  const answer = (content: string) => (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }], usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 } }));
  };
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => { server.closeAllConnections(); server.close(); });

  const objective = defineObjective({
    name: 'tiny-router', description: 'test', kind: 'router', baseline: 'candidates/router/kv-formula.ts',
    search: ['conversation-8x-poly'], metrics: [{ key: 'p95_ttft_ms', better: 'min' }, { key: 'mean_ttft_ms', better: 'min' }],
  });
  const improve = 'Prefill load matters more than decode load here.\n<<<<<<< SEARCH\n    return 1.0 * prefill + decode + 0.0 * w.activeRequests;\n=======\n    return 2 * prefill + decode + 0.0 * w.activeRequests;\n>>>>>>> REPLACE\n';

  it('retries a 429, applies the edit, accounts tokens and dollars, records failures, and replays without the server', async () => {
    script.push((res) => { res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '10' }); res.end('{"error":{"message":"slow down"}}'); });
    script.push(answer(improve));
    script.push((res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"id":"x","object":"chat.completion"}'); });
    script.push(answer('I have no idea.'));
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-llm-')), 'run');
    const evaluator = new SandboxEvaluator({}, null);
    const proposer = new LlmProposer({ apiKey: 'test', baseURL: url, models: [{ name: 'test-model', weight: 1 }], prices: { 'test-model': { input: 1, output: 5 } }, maxRetries: 2, transcriptDir: join(dir, '.twinsearch', 'llm') });
    const s = await runSearch({ objective, runDir: dir, resume: false, seed: 5, parallel: 1, budgetIterations: 3, proposer, evaluator, log: () => undefined });
    expect(calls).toBe(4); // the 429 was retried
    expect(prompts[0]).toContain('return 1.0 * prefill + decode');
    expect(prompts[0]).toContain('p95_ttft_ms');
    expect(prompts[3]).toContain('malformed response'); // the failure is shown to the model next time
    const ledger = RunLog.open(dir).ledger();
    expect(ledger.map((e) => e.status)).toEqual(['accepted', 'accepted', 'failed', 'failed']);
    expect(ledger[1]).toMatchObject({ proposer: 'llm:test-model', tokens: 1200, description: 'Prefill load matters more than decode load here.' });
    expect(ledger[1]!.usd).toBeCloseTo((1000 * 1 + 200 * 5) / 1e6, 12);
    expect(ledger[2]!.reason).toMatch(/malformed response: choices/);
    expect(ledger[3]!.reason).toMatch(/unusable answer/);
    expect(s.tokens).toBe(2400); // the malformed answer carried no usage
    expect(readdirSync(join(dir, '.twinsearch', 'llm'))).toHaveLength(2);
    expect(await RunLog.open(dir).diff('c0001')).toContain('+    return 2 * prefill + decode');

    // the same search again, answered from the transcripts: no call reaches the server
    const before = calls;
    const dir2 = join(mkdtempSync(join(tmpdir(), 'ts-llm-')), 'run');
    const replay = new LlmProposer({ apiKey: 'unused', baseURL: url, models: [{ name: 'test-model', weight: 1 }], transcriptDir: join(dir, '.twinsearch', 'llm'), replay: true });
    await runSearch({ objective, runDir: dir2, resume: false, seed: 5, parallel: 1, budgetIterations: 1, proposer: replay, evaluator, log: () => undefined });
    expect(calls).toBe(before);
    expect(RunLog.open(dir2).ledger()[1]).toMatchObject({ status: 'accepted', tokens: 1200 });
    expect(await RunLog.open(dir2).source('c0001')).toBe(await RunLog.open(dir).source('c0001')); // the same accepted code
  });

  it('refuses an answer over 256 KB (kept truncated in the transcript) and a response over 8 MB (not read on)', async () => {
    script.push(answer(`Here it is.\n${'x'.repeat(1 << 20)}`));
    script.push(answer(`Here it is.\n${'x'.repeat(30 << 20)}`));
    const dir = mkdtempSync(join(tmpdir(), 'ts-llm-'));
    const proposer = new LlmProposer({ apiKey: 'test', baseURL: url, models: [{ name: 'test-model', weight: 1 }], transcriptDir: dir, maxRetries: 0 });
    const base = { id: 'baseline', parent: null, source: parent, metrics: {}, commit: '' };
    const ctx = { objective, parent: base, front: [base], rng: new Prng(1), recentFailures: [] };
    const big = await proposer.propose({ ...ctx, id: 'c0001' } as never);
    expect(big).toMatchObject({ ok: false, error: expect.stringMatching(/^unusable answer: 1048588 characters, over the 262144 an answer may have/) });
    const [t] = readdirSync(dir);
    expect(statSync(join(dir, t!)).size).toBeLessThan(64 << 10);
    const huge = await proposer.propose({ ...ctx, id: 'c0002' } as never);
    expect(huge).toMatchObject({ ok: false, error: expect.stringMatching(/^LLM call failed.*(answer passed 8388608 bytes|over the 8388608)/) });
  });

  it('accepts a good whole module, fails a hostile one in the sandbox, and gives up on a stalled body at the deadline', async () => {
    const good = 'A whole module.\n```ts\n' + `import { defineRouter } from '../../sim/policy/index.js';
export default defineRouter({
  name: 'prefill-first',
  cost: (req, w) => 2 * Math.max((w.activePrefillTokens + req.isl) / req.blockSize - w.overlapBlocks - 0.75 * w.hostOverlapBlocks, 0) + w.newBlocks,
});
` + '```\n';
    const hostile = 'Faster.\n```ts\n' + `import { defineRouter } from '../../sim/policy/index.js';
export default defineRouter({ name: 'spin', cost: () => { for (;;) {} } });
` + '```\n';
    script.push(answer(good), answer(hostile), (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"id":"x","choices":['); /* and never ends */ });
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-llm-')), 'run');
    const proposer = new LlmProposer({ apiKey: 'test', baseURL: url, models: [{ name: 'test-model', weight: 1 }], maxRetries: 0, deadlineMs: 1500 });
    const t0 = Date.now();
    await runSearch({ objective, runDir: dir, resume: false, seed: 2, parallel: 1, budgetIterations: 3, proposer, evaluator: new SandboxEvaluator({ cpuMs: 10_000 }, null), log: () => undefined });
    const ledger = RunLog.open(dir).ledger();
    expect(ledger.map((e) => e.status)).toEqual(['accepted', 'accepted', 'failed', 'failed']);
    expect(ledger[1]!.proposer).toBe('llm:test-model');
    expect(ledger[2]!.reason).toMatch(/timeout.*CPU-time limit/);
    expect(ledger[3]!.reason).toMatch(/LLM call failed/);
    expect(Date.now() - t0).toBeLessThan(100_000);
    expect(await RunLog.open(dir).source('c0001')).toContain("name: 'prefill-first'");
  });

  it('stops at the dollar budget', async () => {
    for (let i = 0; i < 5; i++) script.push(answer('nothing useful'));
    const dir = join(mkdtempSync(join(tmpdir(), 'ts-llm-')), 'run');
    const proposer = new LlmProposer({ apiKey: 'test', baseURL: url, models: [{ name: 'test-model', weight: 1 }], prices: { 'test-model': { input: 1000, output: 0 } }, maxRetries: 0 });
    const s = await runSearch({ objective, runDir: dir, resume: false, seed: 1, parallel: 1, budgetIterations: 5, budgetUsd: 1.5, proposer, evaluator: new SandboxEvaluator({}, null), log: () => undefined });
    expect(s.stoppedBy).toBe('usd');
    expect(s.evaluated).toBe(2); // $1 each: the second call crosses the budget, no third starts
    script.length = 0;
  });
});

describe('LLM proposer label (the dashboard header)', () => {
  it('names the models and their shares', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-label-'));
    expect(new LlmProposer({ apiKey: 'x', models: parseModels('gpt-4o-mini'), transcriptDir: dir }).label).toBe('llm gpt-4o-mini');
    expect(new LlmProposer({ apiKey: 'x', models: parseModels('a:0.7,b:0.3'), transcriptDir: dir, replay: true }).label).toBe('llm a 70%, b 30% (replayed)');
  });
});
