/** Turns an LLM's answer into the new module: SEARCH/REPLACE edits of the parent, or a whole module. */
export type Applied = { ok: true; source: string; summary: string } | { ok: false; error: string };

const EDIT = /<<<<<<< SEARCH\r?\n([\s\S]*?)\r?\n?=======\r?\n([\s\S]*?)\r?\n?>>>>>>> REPLACE/g;
const FENCE = /```(?:ts|typescript|js|javascript)?[ \t]*\r?\n([\s\S]*?)```/g;

function summaryOf(text: string): string {
  const first = text.split(/<<<<<<< SEARCH|```/)[0]!.replace(/\s+/g, ' ').trim();
  return (first.length > 160 ? `${first.slice(0, 157)}...` : first) || 'LLM edit';
}

export function applyAnswer(parent: string, answer: string): Applied {
  const edits = [...answer.matchAll(EDIT)];
  if (edits.length > 0) {
    let src = parent;
    for (const [i, m] of edits.entries()) {
      const search = m[1]!;
      const replace = m[2]!;
      if (search.trim() === '') return { ok: false, error: `edit ${i + 1}: empty SEARCH block` };
      let at = src.indexOf(search);
      let find = search;
      if (at < 0) {
        // tolerate trailing-whitespace and indentation drift: match line by line, trimmed
        const lines = src.split('\n');
        const want = search.split('\n').map((l) => l.trim());
        for (let s = 0; s + want.length <= lines.length && at < 0; s++) {
          if (want.every((w, k) => lines[s + k]!.trim() === w)) {
            at = lines.slice(0, s).join('\n').length + (s > 0 ? 1 : 0);
            find = lines.slice(s, s + want.length).join('\n');
          }
        }
      }
      if (at < 0) return { ok: false, error: `edit ${i + 1}: SEARCH text not found in the parent: ${JSON.stringify(search.slice(0, 80))}` };
      if (src.indexOf(find, at + 1) >= 0) return { ok: false, error: `edit ${i + 1}: SEARCH text occurs more than once in the parent` };
      src = src.slice(0, at) + replace + src.slice(at + find.length);
    }
    if (src === parent) return { ok: false, error: 'the edits change nothing' };
    return { ok: true, source: src, summary: summaryOf(answer) };
  }
  const blocks = [...answer.matchAll(FENCE)].map((m) => m[1]!).filter((b) => /export\s+default/.test(b));
  if (blocks.length === 1) {
    const src = blocks[0]!.endsWith('\n') ? blocks[0]! : `${blocks[0]}\n`;
    if (src.trim() === parent.trim()) return { ok: false, error: 'the module is the parent unchanged' };
    return { ok: true, source: src, summary: summaryOf(answer) };
  }
  if (blocks.length > 1) return { ok: false, error: `the answer holds ${blocks.length} modules; expected one` };
  return { ok: false, error: 'the answer holds neither SEARCH/REPLACE edits nor a ```ts module with a default export' };
}
