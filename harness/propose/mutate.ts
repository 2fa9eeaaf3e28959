import ts from 'typescript';
import type { Prng } from '../../sim/core/prng.js';
import { graftIdea, IDEAS, policyKindOf, routerCostSite } from './ideas.js';
import { EVICTION_UNITS, localUnits, PLANNER_UNITS, ROUTER_UNITS, termIn, unitOf } from './units.js';

/** The edits the offline proposer makes to a parent candidate's source. */
export type MutationKind = 'constant' | 'comparison' | 'arithmetic' | 'min-max' | 'drop-term' | 'add-term' | 'crossover' | 'idea' | 'tune';

export interface Mutation {
  kind: MutationKind;
  /** One line saying what changed, e.g. "constant 0.5 → 0.8 at line 7". */
  description: string;
  source: string;
  /**
   * Where it changed, independent of the new value and of line numbers (the kind and the code it
   * touched, the field it added, the idea it grafted), so a proposer can learn which places never matter.
   */
  site: string;
}

interface Edit {
  kind: MutationKind;
  start: number;
  end: number;
  text: string;
  what: string;
  site: string;
}

/** A site key: the kind and the (whitespace-normalised, bounded) code of the node it edits. */
function siteOf(kind: MutationKind, node: ts.Node): string {
  return `${kind}:${node.getText().replace(/\s+/g, ' ').slice(0, 120)}`;
}

const COMPARISONS = [ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken];
const ARITHMETIC = [ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken];
const SCALES = [0, 0.25, 0.5, 0.8, 0.9, 1.1, 1.25, 2, 4];
/** Log-normal spread of a joint step over all constants: about ±40 % on each. */
export const TUNE_SIGMA = 0.35;

/**
 * Mutates a policy module's source with the TypeScript compiler API (the offline proposer, used
 * when no LLM is configured): scales a numeric constant, swaps a comparison or arithmetic operator
 * or Math.min/Math.max, drops one side of a sum, adds a weighted term built from a view field the
 * code already reads (in a router, only where the units agree: harness/propose/ideas.ts), grafts a known
 * routing idea onto a router's cost, or (with `other`) swaps in the other parent's version of a policy
 * function. Every choice comes from `rng`, so a seed reproduces a search. Returns null if nothing applies.
 */
export function mutate(source: string, rng: Prng, opts: { other?: string; kinds?: MutationKind[]; sigma?: number; siteWeight?: (site: string) => number } = {}): Mutation | null {
  const sf = ts.createSourceFile('candidate.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edits = collectEdits(sf, rng);
  edits.push(...ideaEdits(sf));
  const tuned = tuneEdit(sf, source, rng, opts.sigma ?? TUNE_SIGMA);
  if (tuned) edits.push(tuned);
  if (opts.other !== undefined) edits.push(...crossoverEdits(sf, opts.other));
  const allowed = opts.kinds ? edits.filter((e) => opts.kinds!.includes(e.kind)) : edits;
  if (allowed.length === 0) return null;
  // pick a kind first, then a site, so rare kinds are not drowned by numerous constants; sites weighted
  // by what the caller learnt (a place where edits never changed the behaviour is rarely picked again),
  // a kind by its best site
  const weight = (e: Edit): number => Math.max(1e-6, opts.siteWeight?.(e.site) ?? 1);
  const kinds = [...new Set(allowed.map((e) => e.kind))];
  const kind = pick(kinds, kinds.map((k) => Math.max(...allowed.filter((e) => e.kind === k).map(weight))), rng);
  const sites = allowed.filter((e) => e.kind === kind);
  const e = pick(sites, sites.map(weight), rng);
  const line = sf.getLineAndCharacterOfPosition(e.start).line + 1;
  return { kind, description: `${e.what} at line ${line}`, source: source.slice(0, e.start) + e.text + source.slice(e.end), site: e.site };
}

/** One of `items`, with probability proportional to its weight (one draw of `rng` either way). */
function pick<T>(items: readonly T[], weights: readonly number[], rng: Prng): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  for (let i = 0; i < items.length; i++) if ((x -= weights[i]!) < 0) return items[i]!;
  return items[items.length - 1]!;
}

function collectEdits(sf: ts.SourceFile, rng: Prng): Edit[] {
  const edits: Edit[] = [];
  const features = new Set<string>();
  const numeric: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    // the seeds write every knob as `0 * weight * field`: an edit inside a zeroed term changes nothing
    // but would cost an evaluation to find out, so only the 0 itself is a site there (its fields
    // still count as features for added terms)
    const live = !zeroed(node);
    if (live && ts.isNumericLiteral(node)) {
      const v = Number(node.text);
      const scale = SCALES[rng.nextInt(SCALES.length)]!;
      const next = Number.isInteger(v) && Math.abs(v) < 10 ? v + (rng.next() < 0.5 ? -1 : 1) : roundNice(v * scale);
      if (next !== v && Number.isFinite(next) && next >= 0) {
        edits.push({ kind: 'constant', start: node.getStart(), end: node.getEnd(), text: String(next), what: `constant ${node.text} → ${next}`, site: siteOf('constant', node.parent) });
      }
    }
    if (live && ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      const opText = node.operatorToken.getText();
      if (COMPARISONS.includes(op)) {
        const other = COMPARISONS.filter((k) => k !== op)[rng.nextInt(3)]!;
        edits.push({ kind: 'comparison', start: node.operatorToken.getStart(), end: node.operatorToken.getEnd(), text: ts.tokenToString(other)!, what: `comparison ${opText} → ${ts.tokenToString(other)}`, site: siteOf('comparison', node) });
      }
      const additive = op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.MinusToken;
      if (ARITHMETIC.includes(op)) {
        // x ± 0 → x ∓ 0 is x again, and x * 0 or x / 0 only break the policy; 0 * x → 0 / x is 0 again
        const zeroSide = isZero(node.left) || isZero(node.right);
        const choices = ARITHMETIC.filter((k) => k !== op && !(zeroSide && k === ts.SyntaxKind.SlashToken));
        const other = choices[rng.nextInt(choices.length)]!;
        if (!(additive && isZero(node.right))) edits.push({ kind: 'arithmetic', start: node.operatorToken.getStart(), end: node.operatorToken.getEnd(), text: ts.tokenToString(other)!, what: `operator ${opText} → ${ts.tokenToString(other)}`, site: siteOf('arithmetic', node) });
        if (additive) {
          const keepLeft = rng.next() < 0.5;
          const kept = keepLeft ? node.left : node.right;
          if (!(op === ts.SyntaxKind.MinusToken && !keepLeft) && !isZero(keepLeft ? node.right : node.left)) {
            edits.push({ kind: 'drop-term', start: node.getStart(), end: node.getEnd(), text: `(${kept.getText()})`, what: `dropped ${opText} ${(keepLeft ? node.right : node.left).getText().slice(0, 40)}`, site: siteOf('drop-term', keepLeft ? node.right : node.left) });
          }
        }
        numeric.push(node);
      }
    }
    if (live && ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)
      && node.expression.expression.getText() === 'Math' && (node.expression.name.text === 'min' || node.expression.name.text === 'max')) {
      const to = node.expression.name.text === 'min' ? 'max' : 'min';
      edits.push({ kind: 'min-max', start: node.expression.name.getStart(), end: node.expression.name.getEnd(), text: to, what: `Math.${node.expression.name.text} → Math.${to}`, site: siteOf('min-max', node) });
    }
    // view fields the code uses as numbers (w.overlapBlocks, req.isl, o.traffic.meanIsl, b.hits, ...):
    // whole access chains that sit in arithmetic, a comparison or a Math call, never objects or arrays
    if (ts.isPropertyAccessExpression(node) && !ts.isPropertyAccessExpression(node.parent) && rootName(node) !== 'Math' && rootName(node) !== null
      && /^[a-z]/.test(node.name.text) && numericContext(node)) {
      features.add(node.getText());
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // ids and counters are not quantities: a term of them only reorders by accident
  const feats = [...features].filter((f) => !/(^|\.)(seq|worker|id|index)$/i.test(f));
  // a router's cost is in blocks, an eviction priority in ms, a planner's load a share: a term must be in the unit of the sum it joins
  const kind = policyKindOf(sf);
  const units = kind === 'router' ? ROUTER_UNITS : kind === 'eviction' ? EVICTION_UNITS : kind === 'planner' ? PLANNER_UNITS : null;
  const env = units ? localUnits(sf, units) : undefined;
  const blockSize = kind === 'router' ? routerCostSite(sf)?.req : undefined;
  if (feats.length > 0) {
    for (const n of numeric) {
      const f = feats[rng.nextInt(feats.length)]!;
      const w = [0.01, 0.1, 0.5, 1, 2][rng.nextInt(5)]!;
      const sign = rng.next() < 0.5 ? '+' : '-';
      let term = `${w} * ${f}`;
      if (units && env) {
        if (!(ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.PlusToken || n.operatorToken.kind === ts.SyntaxKind.MinusToken))) continue;
        const t = termIn(unitOf(n, env, units), f, w, units, blockSize !== undefined ? `${blockSize}.blockSize` : undefined);
        if (t === null) continue;
        term = t;
      }
      edits.push({ kind: 'add-term', start: n.getStart(), end: n.getEnd(), text: `(${n.getText()} ${sign} ${term})`, what: `added ${sign} ${term}`, site: `add-term:${f}` });
    }
  }
  return edits;
}

/**
 * One step of a joint search over the constants of the parent's structure: every live non-zero
 * constant scaled at once by a log-normal factor (σ = 0.35, about ±40 %, unless the structure tuner
 * adapted it), so a structure whose single constants are each at a local optimum can still move along a
 * ridge. Integers stay integers.
 */
function tuneEdit(sf: ts.SourceFile, source: string, rng: Prng, sigma: number): Edit | null {
  const sites: ts.NumericLiteral[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isNumericLiteral(node) && !zeroed(node) && Number(node.text) !== 0 && !inModulus(node)) sites.push(node);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (sites.length < 2) return null;
  const first = sites[0]!.getStart(), last = sites[sites.length - 1]!.getEnd();
  let text = '';
  let at = first;
  for (const n of sites) {
    const v = Number(n.text);
    const f = Math.exp(sigma * rng.nextNormal());
    const next = Number.isInteger(v) && Math.abs(v) >= 2 ? Math.max(1, Math.round(v * f)) : roundNice(v * f);
    text += source.slice(at, n.getStart()) + String(next);
    at = n.getEnd();
  }
  text += source.slice(at, last);
  return { kind: 'tune', start: first, end: last, text, what: `tuned ${sites.length} constants together (σ ${Number(sigma.toPrecision(2))})`, site: 'tune' };
}

/** Numbers inside the modulus arithmetic of a pseudo-random choice are not knobs. */
function inModulus(n: ts.Node): boolean {
  for (let a: ts.Node | undefined = n.parent; a; a = a.parent) {
    if (ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.PercentToken) return true;
  }
  return false;
}

/** Grafts each known idea of the policy's kind that it does not carry yet (harness/propose/ideas.ts). */
function ideaEdits(sf: ts.SourceFile): Edit[] {
  const kind = policyKindOf(sf);
  if (!kind) return [];
  const edits: Edit[] = [];
  for (const idea of IDEAS[kind]) {
    const g = graftIdea(sf, kind, idea);
    if (g) edits.push({ kind: 'idea', ...g, what: `idea ${idea.name} (${idea.source})`, site: `idea:${idea.name}` });
  }
  return edits;
}

/** Replace a top-level policy property (cost, decide, priority, create) by the other parent's. */
function crossoverEdits(sf: ts.SourceFile, other: string): Edit[] {
  const mine = policyProperties(sf);
  const theirs = policyProperties(ts.createSourceFile('other.ts', other, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));
  const edits: Edit[] = [];
  for (const [name, node] of mine) {
    const t = theirs.get(name);
    if (t && t.getText() !== node.getText()) {
      edits.push({ kind: 'crossover', start: node.getStart(), end: node.getEnd(), text: t.getText(), what: `took ${name} from the other parent`, site: `crossover:${name}` });
    }
  }
  return edits;
}

function policyProperties(sf: ts.SourceFile): Map<string, ts.Node> {
  const out = new Map<string, ts.Node>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && /^define(Router|Planner|Eviction)$/.test(node.expression.text)) {
      const arg = node.arguments[0];
      if (arg && ts.isObjectLiteralExpression(arg)) {
        for (const p of arg.properties) {
          if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p)) && ts.isIdentifier(p.name) && ['cost', 'decide', 'priority', 'create'].includes(p.name.text)) out.set(p.name.text, p);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** An expression that is 0 whatever the fields hold: a literal 0, or a product with a zero factor. */
function isZero(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isNumericLiteral(e)) return Number(e.text) === 0;
  return ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AsteriskToken && (isZero(e.left) || isZero(e.right));
}

/** Whether `node` sits in a factor multiplied by zero, so that no edit inside it changes the value. */
function zeroed(node: ts.Node): boolean {
  for (let a = node; a.parent !== undefined; a = a.parent) {
    const p = a.parent;
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
      if ((p.left === a && isZero(p.right)) || (p.right === a && isZero(p.left))) return true;
    }
  }
  return false;
}

/** Rounds to 3 significant digits so mutated constants stay readable in diffs. */
function roundNice(v: number): number {
  if (v === 0) return 0;
  const p = Math.pow(10, 2 - Math.floor(Math.log10(Math.abs(v))));
  return Math.round(v * p) / p;
}

function rootName(n: ts.PropertyAccessExpression): string | null {
  let e: ts.Expression = n;
  while (ts.isPropertyAccessExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : null;
}

function numericContext(n: ts.Node): boolean {
  let p = n.parent;
  while (ts.isParenthesizedExpression(p)) p = p.parent;
  if (ts.isBinaryExpression(p)) return ARITHMETIC.includes(p.operatorToken.kind) || COMPARISONS.includes(p.operatorToken.kind);
  return ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression) && p.expression.expression.getText() === 'Math';
}
