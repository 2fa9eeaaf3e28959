import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProposeContext } from './proposer.js';
import { REPO_ROOT } from '../scenario/scenario-workload.js';
import { IDEAS } from './ideas.js';

const API_FILES: Record<string, string[]> = {
  router: ['sim/contracts/router-views.ts', 'sim/policy/router-policy.ts'],
  planner: ['sim/policy/planner-policy.ts', 'sim/contracts/planner-views.ts'],
  eviction: ['sim/contracts/eviction-views.ts', 'sim/policy/eviction-policy.ts'],
};
/** How the idea library names the wrapped value and the function's parameters in the prompt. */
const IDEA_NAMES: Record<string, [string, string[]]> = { router: ['COST', ['req', 'w']], planner: ['DECISION', ['o']], eviction: ['PRIORITY', ['b']] };
const DEFINE: Record<string, string> = { router: 'defineRouter', planner: 'definePlanner', eviction: 'defineEviction' };

/** Fills `{{name}}` placeholders; an unknown placeholder is an error (a typo must not drop context). */
export function fill(template: string, values: Record<string, string>, file: string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in values)) throw new Error(`${file}: unknown placeholder {{${k}}}; known: ${Object.keys(values).join(', ')}`);
    return values[k]!;
  });
}

function metricsTable(ctx: ProposeContext, metrics: ProposeContext['parent']['metrics']): string {
  const keys = [...ctx.objective.metrics.map((m) => m.key), ...ctx.objective.constraints.map((c) => c.key)];
  const rows = Object.entries(metrics).map(([s, m]) => `| ${s} | ${keys.map((k) => (m[k] === undefined ? '' : Number(m[k]!.toPrecision(5)))).join(' | ')} |`);
  return [`| scenario | ${keys.join(' | ')} |`, `|---|${keys.map(() => '---').join('|')}|`, ...rows].join('\n');
}

/** Code of the first few front members other than the parent (what the trade-offs were made of), bounded. */
const FRONT_CODE_MEMBERS = 3;
const FRONT_CODE_CHARS = 4000;
function frontCode(ctx: ProposeContext, f: ProposeContext['front'][number], i: number): string {
  if (f.id === ctx.parent.id || i >= FRONT_CODE_MEMBERS + 1) return '';
  const code = f.source.length > FRONT_CODE_CHARS ? `${f.source.slice(0, FRONT_CODE_CHARS)}\n// … (${f.source.length - FRONT_CODE_CHARS} more characters)` : f.source;
  return `\`\`\`ts\n${code.trimEnd()}\n\`\`\`\n\n`;
}

/** The prompt for one proposal, from prompts/<kind>.md and prompts/common.md. */
export function buildPrompt(ctx: ProposeContext, promptsDir = join(REPO_ROOT, 'prompts')): string {
  const o = ctx.objective;
  const kindFile = join(promptsDir, `${o.kind}.md`);
  const commonFile = join(promptsDir, 'common.md');
  const api = API_FILES[o.kind]!.map((f) => `// ${f}\n${readFileSync(join(REPO_ROOT, f), 'utf8')}`).join('\n');
  const common = fill(readFileSync(commonFile, 'utf8'), {
    objective: o.name,
    objectiveDescription: o.description,
    metrics: o.metrics.map((m) => `${m.key} (${m.better === 'min' ? 'lower' : 'higher'} is better)`).join(', '),
    constraints: o.constraints.length ? o.constraints.map((c) => `${c.key} ${c.bound === 'max' ? '≤' : '≥'} ${c.limit}${c.relative ? " × the baseline's value" : ''}`).join(', ') : 'none',
    scenarios: o.search.join(', '),
    api,
    parentId: ctx.parent.id,
    parent: ctx.parent.source.trimEnd(),
    parentMetrics: metricsTable(ctx, ctx.parent.metrics),
    front: ctx.front.map((f, i) => `### ${f.id}\n\n${frontCode(ctx, f, i)}${metricsTable(ctx, f.metrics)}`).join('\n\n') || '(only the parent)',
    failures: ctx.recentFailures.length ? ctx.recentFailures.map((f) => `- ${f.split('\n')[0]!.slice(0, 300)}`).join('\n') : '(none)',
    define: DEFINE[o.kind]!,
  }, commonFile);
  // the offline proposer's idea library, as a researcher would be given it
  const [value, params] = IDEA_NAMES[o.kind]!;
  const ideas = IDEAS[o.kind].map((i) => `- ${i.name}: ${i.source}; e.g. \`${i.wrap(value, params, 'state').replace(/\s*\/\*.*?\*\/\s*/g, ' ')}\`${i.state ? ` with per-replay \`state = ${i.state}\` (kept in create())` : ''}`).join('\n');
  return fill(readFileSync(kindFile, 'utf8'), { common, ideas }, kindFile);
}
