import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../../harness/bench/evaluator.js';
import { duplicateStep, probeStep, type Candidate } from '../../harness/search/candidate-steps.js';
import { commitMessage, fromTrailer } from '../../harness/search/commit-message.js';
import { noTimings, SearchRun } from '../../harness/search/search-run.js';
import type { Report } from '../../sim/metrics/report.js';
import { tiny } from '../helpers/tiny-objective.js';

// The search's steps, each alone: a SearchRun with no run directory and an evaluator that answers
// fixed reports, so a step's verdict is checked without the sandbox or git.

const observed: [string, string][] = [];
const proposer = { name: 'test', propose: async () => ({ ok: false as const, error: 'unused', proposer: 'test' }), observe: (id: string, o: 'same' | 'different') => { observed.push([id, o]); } };

function runWith(p95: number): SearchRun {
  const report = { p95_ttft_ms: p95, mean_ttft_ms: p95 / 3, mean_tpot_ms: 20 } as unknown as Report;
  const evaluator = { evaluateSource: async (): Promise<Evaluation> => ({ ok: true, report, wallMs: 1 }) };
  const run = new SearchRun({ objective: tiny, runDir: '/nonexistent', resume: false, seed: 1, parallel: 1, proposer, evaluator });
  const metrics = { 'conversation-8x-poly': { p95_ttft_ms: 800, mean_ttft_ms: 300, mean_tpot_ms: 20 } };
  run.archive.add({ id: 'baseline', parent: null, source: 'x', metrics, commit: 'c0' });
  return run;
}

function candidate(run: SearchRun, id: string, hash = `h-${id}`): Candidate {
  const timings = noTimings();
  return { id, parent: run.archive.get('baseline')!, source: `// ${id}`, description: `edit ${id}`, proposer: 'test', hash, metrics: {}, samples: {}, timings,
    rec: { id, parent: 'baseline', proposer: 'test', startedMs: 0, description: `edit ${id}`, codeHash: hash, timings } };
}

describe('search steps', () => {
  it('the duplicate gate passes new code once and rejects it after, counting the streak', async () => {
    const run = runWith(700);
    expect(await duplicateStep(run, candidate(run, 'c0001', 'same-hash'))).toBeNull();
    const ended = await duplicateStep(run, candidate(run, 'c0002', 'same-hash'));
    expect(ended).not.toBe('cancelled');
    if (ended && ended !== 'cancelled') {
      expect(ended.entry.status).toBe('rejected');
      expect(ended.entry.reason).toBe('duplicate code');
      expect(ended.entry.timings).toBeUndefined(); // nothing was evaluated
    }
    expect(run.dupStreak).toBe(1);
    expect(await duplicateStep(run, candidate(run, 'c0003'))).toBeNull();
    expect(run.dupStreak).toBe(0);
  });

  it('the probe passes a new behaviour, rejects the same behaviour twice, and tells the proposer', async () => {
    const run = runWith(700);
    observed.length = 0;
    expect(await probeStep(run, candidate(run, 'c0001'))).toBeNull();
    const again = await probeStep(run, candidate(run, 'c0002'));
    expect(again !== null && again !== 'cancelled' && again.entry.reason).toMatch(/^same behaviour as c0001/);
    expect(observed).toEqual([['c0001', 'different'], ['c0002', 'same']]);
  });

  it('the probe stops a clearly worse candidate early', async () => {
    const run = runWith(5000);
    const ended = await probeStep(run, candidate(run, 'c0001'));
    expect(ended !== null && ended !== 'cancelled' && ended.entry.reason).toMatch(/clearly worse than baseline/);
  });

  it('a commit message carries the metrics a resumed run recovers', () => {
    const run = runWith(700);
    const metrics = { 'conversation-8x-poly': { p95_ttft_ms: 650, mean_ttft_ms: 250, mean_tpot_ms: 20 } };
    const msg = commitMessage(tiny, 'c0007', run.archive.get('baseline')!, metrics, { description: 'x', proposer: 'test' });
    expect(msg).toMatch(/p95_ttft_ms=650 \(-18\.8%\)/);
    expect(fromTrailer(msg)).toEqual({ parent: 'baseline', metrics });
    expect(fromTrailer('no trailer')).toBeNull();
  });
});
