/** The report's stylesheet, inlined into its <style> element, and the palette it draws with. */

/** Exported so tests can look for these exact colours in screenshots. */
export const REPORT_COLORS = {
  front: '#f76707',
  accepted: '#4263eb',
  faded: '#868e96',
  baseline: '#111111',
  addBg: '#e6ffec',
  delBg: '#ffebe9',
  hunkBg: '#ddf4ff',
} as const;

const C = REPORT_COLORS;
export const CSS = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1060px;margin:0 auto;padding:28px 24px 48px}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:28px;line-height:1.2;margin:0 0 6px;overflow-wrap:anywhere}
h2{font-size:20px;margin:40px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:16px;margin:0 0 4px;overflow-wrap:anywhere}
.kicker{margin:0;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.08em}
.objective{margin:0 0 14px}
.meta,.note,footer{color:var(--muted);font-size:13.5px}
.empty{color:var(--muted);font-style:italic}
.stats{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 10px}
.stats div{border:1px solid var(--border);border-radius:8px;padding:6px 14px;min-width:96px;background:var(--soft)}
.stats dt{font-size:12px;color:var(--muted)}
.stats dd{margin:0;font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.stats .good dd{color:#1a7f37}.stats .bad dd{color:#cf222e}
.plot-wrap{border:1px solid var(--border);border-radius:8px;padding:10px 10px 6px;overflow-x:auto}
#front-plot{display:block;width:100%;min-width:560px;height:auto;font-family:inherit}
#front-plot .frame{fill:#fff;stroke:#afb8c1}
#front-plot .grid{stroke:#eaeef2}
#front-plot .tick{font-size:11px;fill:var(--muted);font-variant-numeric:tabular-nums}
#front-plot .axis-title{font-size:12.5px;fill:var(--fg);font-weight:600}
#front-plot .better{fill:#1a7f37;font-weight:600}
#front-plot .empty-plot{fill:var(--muted);font-size:14px}
#front-plot .front-line{fill:none;stroke:${C.front};stroke-width:1.6;stroke-opacity:.55}
.point-faded{fill:${C.faded};fill-opacity:.35}
.point-accepted{fill:${C.accepted};fill-opacity:.85}
.point-front{fill:${C.front};stroke:#fff;stroke-width:1.5}
.point-baseline{fill:${C.baseline};stroke:#fff;stroke-width:1.2}
.point-baseline.on-front{stroke:${C.front};stroke-width:2}
#front-plot .label{font-size:11.5px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
#front-plot .label-front{fill:#b34700}#front-plot .label-baseline{fill:${C.baseline}}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;justify-content:center;font-size:12.5px;color:var(--muted);padding:4px 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:-1px}
.legend .lg-front{background:${C.front};width:12px;height:12px}
.legend .lg-accepted{background:${C.accepted}}
.legend .lg-faded{background:${C.faded};opacity:.45}
.legend .lg-baseline{background:${C.baseline};border-radius:0;transform:rotate(45deg) scale(.85)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:13.5px;font-variant-numeric:tabular-nums;margin:10px 0}
caption{text-align:left;color:var(--muted);font-size:13px;padding-bottom:4px}
th,td{padding:3px 10px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{font-weight:600;font-size:12.5px;color:var(--muted);border-bottom-color:var(--border)}
.num{text-align:right;white-space:nowrap}
td.arrow{color:var(--muted);padding:3px 0}
tr.group td{border-top:1px solid var(--border)}
td.desc{max-width:420px;overflow-wrap:anywhere}
.mark-better{color:#1a7f37;font-weight:600}.mark-worse{color:#cf222e;font-weight:600}.mark-noise{color:var(--muted)}
small{font-size:11.5px}
.badge{display:inline-block;font:600 11px/1.6 system-ui,sans-serif;padding:0 7px;border-radius:10px;background:#fff4e6;color:#b34700;border:1px solid #ffc078;vertical-align:2px}
.tree,.tree ul{list-style:none;margin:0;padding:0}
.tree ul{margin-left:9px;padding-left:16px;border-left:2px solid #eaeef2}
.tree li{margin:2px 0}
.tree .node{padding:1px 0;overflow-wrap:anywhere}
.tree .node+.node::before{content:"↳ ";color:#8c959f}
.tree .node.is-front code{color:#b34700;font-weight:600}
.tree .val{color:var(--muted);font-size:12.5px;font-variant-numeric:tabular-nums;margin-left:4px}
.candidate{border:1px solid var(--border);border-radius:8px;padding:14px 18px 8px;margin:18px 0}
.candidate.is-front{border-left:4px solid ${C.front}}
pre.diff{margin:12px 0;padding:6px 0;border:1px solid var(--border);border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.45;background:#fff}
pre.diff span{display:block;padding:0 12px}
pre.diff .add{background:${C.addBg}}
pre.diff .del{background:${C.delBg}}
pre.diff .hunk{background:${C.hunkBg};color:#0550ae}
pre.diff .meta-line{color:var(--muted)}
footer{margin-top:40px;border-top:1px solid var(--border);padding-top:8px;overflow-wrap:anywhere}
@media print{
  body{font-size:12px}main{max-width:none;padding:0}
  a{color:inherit}
  h2,h3{break-after:avoid}
  .plot-wrap,.candidate h3,.candidate .meta{break-inside:avoid}
  pre.diff{font-size:10.5px}
}
`.trim();
