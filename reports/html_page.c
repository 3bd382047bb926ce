/* reports/html_page.c: the style sheet and the optional tooltip script of
 * report.html, inlined in every page (no network). The page reads fully
 * without the script; it only adds values under the pointer on charts.
 * It sets text with textContent, never as markup. Kept as arrays of lines,
 * since C compilers need not take string literals over 4095 bytes. */
#include "reports/html_int.h"

/* clang-format off */
const char *const html_css[] = {
    ":root{--pass:#1a7f37;--fail:#cf222e;--error:#9a6700;--ink:#1f2328;--muted:#59636e;"
    "--line:#d1d9e0;--bg:#f6f8fa}\n",
    "*{box-sizing:border-box}\n",
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\","
    "Arial,sans-serif;color:var(--ink);background:var(--bg)}\n",
    ".wrap{max-width:1360px;margin:0 auto;padding:0 20px}\n",
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\","
    "monospace;font-size:12.5px}\n",
    "header.run{background:#fff;border-top:6px solid var(--pass);"
    "border-bottom:1px solid var(--line);padding:14px 0 12px}\n",
    "header.v-fail{border-top-color:var(--fail)}header.v-error{border-top-color:var(--error)}\n",
    "h1{font-size:21px;margin:0 0 4px;display:flex;align-items:center;gap:12px;"
    "flex-wrap:wrap}\n",
    "h2{font-size:17px;margin:0;word-break:break-word}\n",
    "h3{font-size:14px;margin:18px 0 8px;color:var(--ink);text-transform:uppercase;"
    "letter-spacing:.05em}\n",
    ".sub{color:var(--muted);margin:2px 0}\n",
    ".badge{display:inline-block;padding:2px 9px;border-radius:11px;font-size:12px;"
    "font-weight:700;color:#fff;letter-spacing:.05em;background:var(--pass);"
    "white-space:nowrap}\n",
    ".badge.fail{background:var(--fail)}.badge.error{background:var(--error)}"
    ".badge.big{font-size:15px;padding:3px 14px}.badge.flaky{background:#8a5a00}\n",
    ".toc{list-style:none;padding:0;margin:10px 0 4px;display:flex;flex-direction:column;"
    "gap:3px}\n",
    ".toc a{color:var(--ink);text-decoration:none}.toc a:hover{text-decoration:underline}\n",
    ".legend{display:flex;flex-wrap:wrap;gap:4px 16px;color:var(--muted);font-size:12px;"
    "margin-top:8px}\n",
    ".sw{display:inline-block;width:16px;height:10px;border-radius:2px;vertical-align:-1px;"
    "margin-right:5px}\n",
    ".sw.ph-baseline{background:#e3ebf5}.sw.ph-load{background:#fce9cc}"
    ".sw.ph-observe{background:#ece3fa}.sw.ph-settle{background:#dff1e4}\n",
    ".sw.ln{height:0;border-top:2px dashed #6e7781;border-radius:0}.sw.lim{height:0;"
    "border-top:2px dashed #d1242f;border-radius:0}\n",
    ".sw.dotr{width:9px;height:9px;border-radius:50%;background:#cf222e}\n",
    ".also{font-size:12px;margin:2px 0 0}\n",
    ".sw.wu{background:#d5d8dc}.sw.tr{background:#c4e3cc;border-top:2px dashed #1a7f37}\n",
    "section.test{background:#fff;border:1px solid var(--line);"
    "border-left:6px solid var(--pass);border-radius:6px;margin:18px 0;padding:0 18px 16px}\n",
    "section.v-fail{border-left-color:var(--fail)}"
    "section.v-error{border-left-color:var(--error)}\n",
    ".banner{display:flex;align-items:center;gap:12px;padding:12px 0 10px;"
    "border-bottom:1px solid var(--line);flex-wrap:wrap}\n",
    ".banner .sub{margin-left:auto}\n",
    ".errbox{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;"
    "margin:12px 0}\n",
    "table{border-collapse:collapse;width:100%;margin:4px 0}\n",
    "th{text-align:left;font-size:12px;color:var(--muted);font-weight:600;"
    "border-bottom:1px solid var(--line);padding:4px 8px}\n",
    "td{padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}\n",
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n",
    "tr.fail td{background:#ffebe9}tr.error td{background:#fff8c5}\n",
    ".mark{font-weight:700;width:1.5em}.mark.pass{color:var(--pass)}"
    ".mark.fail{color:var(--fail)}.mark.error{color:var(--error)}\n",
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(560px,100%),1fr));"
    "gap:14px}\n",
    "figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px 10px 4px;"
    "background:#fff;min-width:0}\n",
    "figure.failing{border-color:var(--fail);box-shadow:0 0 0 1px var(--fail) inset}\n",
    "figcaption{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px;"
    "margin-bottom:2px}\n",
    "figcaption .name{font-weight:700;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "monospace;font-size:13px;word-break:break-all}\n",
    "figcaption .stats{color:var(--muted);font-size:12px}\n",
    "figcaption .flag{color:#fff;background:var(--fail);border-radius:3px;padding:0 6px;"
    "font-size:11px;font-weight:700}\n",
    "figcaption .key{font-size:12px;color:var(--muted)}\n",
    "details.more{margin-top:14px}details.more>summary,details.log>summary{cursor:pointer;"
    "color:#0969da;font-weight:600;margin:6px 0}\n",
    "details.more>.grid{margin-top:10px}\n",
    "svg.chart{width:100%;height:auto;display:block;font:11px system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,Arial,sans-serif}\n",
    ".ph-baseline{fill:#e3ebf5}.ph-load{fill:#fce9cc}.ph-observe{fill:#ece3fa}"
    ".ph-settle{fill:#dff1e4}\n",
    ".phl{fill:#57606a;font-size:10.5px}\n",
    ".gl{stroke:#d8dee4;stroke-width:.6}.tick{stroke:#8c959f}\n",
    ".yl{text-anchor:end;fill:#57606a}.xl{text-anchor:middle;fill:#57606a}\n",
    ".frame{fill:none;stroke:#afb8c1;stroke-width:.8}\n",
    ".plot polyline{fill:none;stroke-width:1.7;stroke-linejoin:round;stroke-linecap:round}\n",
    ".c0 polyline{stroke:#0969da}.c0 .dot{fill:#0969da}.c1 polyline{stroke:#8250df}"
    ".c1 .dot{fill:#8250df}\n",
    ".c2 polyline{stroke:#bf8700}.c2 .dot{fill:#bf8700}.c3 polyline{stroke:#1a7f37}"
    ".c3 .dot{fill:#1a7f37}\n",
    ".k0{color:#0969da}.k1{color:#8250df}.k2{color:#bf8700}.k3{color:#1a7f37}\n",
    ".base line{stroke:#6e7781;stroke-dasharray:5 4;stroke-width:1}.base text{fill:#57606a}\n",
    ".limit line{stroke:#d1242f;stroke-dasharray:8 4;stroke-width:1.4}"
    ".limit text{fill:#d1242f;font-weight:600}\n",
    ".hl{text-anchor:end;font-size:10.5px;paint-order:stroke;stroke:#fff;stroke-width:3px;"
    "stroke-linejoin:round}\n",
    ".bad{fill:#cf222e;stroke:#fff;stroke-width:1}\n",
    ".warmup rect{fill:#57606a;fill-opacity:.14}"
    ".warmup text{fill:#57606a;font-size:10.5px;font-style:italic}\n",
    ".trend .band{fill:#1a7f37;fill-opacity:.18}"
    ".trend .fit{stroke:#1a7f37;stroke-width:2.2;stroke-dasharray:7 3}\n",
    ".trend.fail .band{fill:#d1242f}.trend.fail .fit{stroke:#d1242f}\n",
    ".guide{stroke:#24292f;stroke-width:.8;display:none}\n",
    ".tiles{display:flex;flex-wrap:wrap;gap:10px;margin:4px 0 12px}\n",
    ".tile{border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:104px}\n",
    ".tile b{display:block;font-size:17px;font-variant-numeric:tabular-nums}"
    ".tile span{color:var(--muted);font-size:12px}\n",
    ".cols{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(420px,100%),1fr));"
    "gap:14px;margin-top:12px}\n",
    ".bar{height:10px;border-radius:2px;background:var(--pass);min-width:1px}"
    ".bar.s3{background:#0969da}.bar.s4{background:var(--error)}.bar.s5,"
    ".bar.err{background:var(--fail)}\n",
    "pre.log{background:#24292f;color:#e6edf3;padding:10px 12px;border-radius:6px;"
    "overflow:auto;max-height:360px;font-size:12px;margin:6px 0}\n",
    ".cmd{display:block;background:var(--bg);border:1px solid var(--line);border-radius:6px;"
    "padding:6px 10px;white-space:pre-wrap;word-break:break-all}\n",
    ".proven{color:#fff;background:var(--fail);border-radius:3px;padding:0 5px;"
    "font-size:11px;font-weight:700}\n",
    ".holds{color:#fff;background:var(--muted);border-radius:3px;padding:0 5px;"
    "font-size:11px;font-weight:700}\n",
    ".tip{position:fixed;pointer-events:none;background:#24292f;color:#fff;"
    "font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;padding:5px 8px;border-radius:4px;"
    "white-space:pre;display:none;z-index:10}\n",
    "footer{color:var(--muted);font-size:12px;padding:10px 0 30px}\n",
    NULL};

const char *const html_js[] = {
    "(function(){\n",
    "var tip=document.createElement('div');tip.className='tip';"
    "document.body.appendChild(tip);\n",
    "function f3(v){var a=Math.abs(v),d=a===0?0:a<1?3:a<10?2:a<100?1:0;"
    "return String(+v.toFixed(d));}\n",
    "function sc(v,s,n){var k=0;while(Math.abs(v)>=s&&k+1<n.length){v/=s;k++;}"
    "return f3(v)+n[k];}\n",
    "function fmt(v,u){if(v===null||isNaN(v))return'n/a';\n",
    "if(u==='bytes')return sc(v,1024,['B','KB','MB','GB','TB']);\n",
    "if(u==='seconds'){var a=Math.abs(v);"
    "return a===0?'0s':a<1e-6?f3(v*1e9)+'ns':a<1e-3?f3(v*1e6)+'\\u00b5s':a<1?f3(v*1e3)+'ms':f3"
    "(v)+'s';}\n",
    "if(u==='fraction')return f3(v*100)+'%';\n",
    "var s=Math.abs(v)<10000?(v===Math.round(v)?String(v):f3(v)):sc(v,1000,['','k','M','G',"
    "'T']);\n",
    "return u==='rate'?s+'/s':s;}\n",
    "function pts(g){if(!g._p){var d=g.getAttribute('data-tv');"
    "g._p=d?d.split(' ').map(function(s){var a=s.split(',');return[+a[0],"
    "a[1]==='null'?null:+a[1]];}):[];}return g._p;}\n",
    "function near(p,t){var lo=0,hi=p.length-1;while(hi-lo>1){var m=(lo+hi)>>1;"
    "if(p[m][0]<t)lo=m;else hi=m;}"
    "return Math.abs(p[lo][0]-t)<=Math.abs(p[hi][0]-t)?p[lo]:p[hi];}\n",
    "Array.prototype.forEach.call(document.querySelectorAll('svg.chart'),function(svg){\n",
    "var m=svg.getAttribute('data-map').split(' ').map(Number),"
    "u=svg.getAttribute('data-unit'),g=svg.querySelector('.guide');\n",
    "function hide(){tip.style.display='none';g.style.display='none';}\n",
    "svg.addEventListener('mouseleave',hide);\n",
    "svg.addEventListener('mousemove',function(e){\n",
    "var q=svg.createSVGPoint();q.x=e.clientX;q.y=e.clientY;"
    "var p=q.matrixTransform(svg.getScreenCTM().inverse());\n",
    "if(p.x<m[0]||p.x>m[0]+m[1]){hide();return;}\n",
    "var t=(p.x-m[0])/m[1]*m[2],out=[],tt=null;\n",
    "Array.prototype.forEach.call(svg.querySelectorAll('[data-tv]'),"
    "function(el){var a=pts(el);if(!a.length)return;var n=near(a,t);if(tt===null)tt=n[0];"
    "out.push(el.getAttribute('data-name')+': '+fmt(n[1],u));});\n",
    "if(tt===null){hide();return;}\n",
    "var x=m[0]+tt/m[2]*m[1];g.setAttribute('x1',x);g.setAttribute('x2',x);"
    "g.style.display='inline';\n",
    "var tu=svg.getAttribute('data-tunit')||'s',td=tu==='h'?3600:tu==='m'?60:1;\n",
    "tip.textContent='t = '+(tt/td).toFixed(2)+tu+'\\n'+out.join('\\n');"
    "tip.style.display='block';\n",
    "var left=e.clientX+14;if(left+240>window.innerWidth)left=e.clientX-250;\n",
    "tip.style.left=left+'px';tip.style.top=(e.clientY+14)+'px';});\n",
    "});\n",
    "})();\n",
    NULL};
/* clang-format on */
