"""One self-contained HTML page per report: no network (a Content-Security-Policy forbids it),
a chart of findings by severity and by rule, a graph of which outside accounts reach which roles
and buckets, and a table of findings that sorts and filters in the browser. Pure.

Every text from AWS or a policy is escaped (html.escape) before it reaches the page; the script
only reads the page's own attributes and sets textContent, never HTML.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import TYPE_CHECKING, Any

from provisioner.model import SEVERITIES, Severity

if TYPE_CHECKING:
    from provisioner.report.findings import Findings
    from provisioner.validate.model import Report

COLOURS = {
    Severity.CRITICAL: "#7b1fa2",
    Severity.HIGH: "#c62828",
    Severity.MEDIUM: "#ef6c00",
    Severity.LOW: "#1565c0",
    Severity.INFO: "#607d8b",
}
STATUS_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "warn": "#ef6c00", "skip": "#607d8b"}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;
 background:#f6f8fa}
header{background:#1b1f24;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9d1d9}main{padding:16px 24px;max-width:1400px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:16px;margin:0 0 8px}.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border-radius:6px;color:#fff;padding:8px 14px;min-width:90px}.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{cursor:pointer;user-select:none;background:#f6f8fa;position:sticky;top:0}
th[aria-sort]::after{content:" \\2195";color:#8c959f}
.sev{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
.muted{opacity:.55}
.badge{font-size:11px;border:1px solid #8c959f;border-radius:8px;padding:0 6px;margin-left:4px}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:6px;margin:4px 0;font-size:12px}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:8px;align-items:center}
.filters input[type=search]{flex:1;min-width:200px}
.context{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0 0;color:#c9d1d9}
.context dt{font-weight:600}.context dd{margin:0;word-break:break-all}
.filters *{font:inherit;padding:4px 6px}.notes li{color:#57606a}svg text{font-size:12px}
"""

SCRIPT = """
(function(){
  var table=document.getElementById('findings'); if(!table) return;
  var rows=Array.prototype.slice.call(table.tBodies[0].rows);
  function el(id){return document.getElementById(id);}
  var q=el('q'), sev=el('sev'), rule=el('rule'), muted=el('muted'), shown=el('shown');
  function apply(){
    var text=q.value.toLowerCase(), n=0;
    rows.forEach(function(r){
      var ok=(!sev.value||r.dataset.severity===sev.value)&&(!rule.value||r.dataset.rule===rule.value)
        &&(muted.checked||r.dataset.muted!=='1')&&(!text||r.textContent.toLowerCase().indexOf(text)>=0);
      r.hidden=!ok; if(ok) n++;
    });
    shown.textContent=n+' of '+rows.length+' shown';
  }
  [q,sev,rule,muted].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
    th.setAttribute('aria-sort','none');
    th.addEventListener('click',function(){
      var down=th.getAttribute('aria-sort')!=='ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(o){o.setAttribute('aria-sort','none');});
      th.setAttribute('aria-sort',down?'ascending':'descending');
      rows.sort(function(a,b){
        var x=a.cells[i].dataset.key||a.cells[i].textContent;
        var y=b.cells[i].dataset.key||b.cells[i].textContent;
        return (x<y?-1:x>y?1:0)*(down?1:-1);
      });
      rows.forEach(function(r){table.tBodies[0].appendChild(r);});
    });
  });
  apply();
})();
"""


def _page(title: str, subtitle: str, body: str, context: str = "") -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f'<meta name="viewport" content="width=device-width"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body><header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p>{context}"
        f"</header><main>{body}</main><script>{SCRIPT}</script></body></html>\n"
    )


def _bars(counts: list[tuple[str, int, str]], label: str) -> str:
    """A horizontal bar chart as inline SVG: (name, count, colour)."""
    if not counts:
        return ""
    top = max(c for _, c, _ in counts) or 1
    height = 22 * len(counts) + 4
    bars = []
    for i, (name, count, colour) in enumerate(counts):
        width = max(2, int(360 * count / top))
        y = 22 * i + 2
        bars.append(
            f'<text x="0" y="{y + 14}">{escape(name)}</text>'
            f'<rect x="200" y="{y}" width="{width}" height="16" fill="{colour}" rx="2"/>'
            f'<text x="{206 + width}" y="{y + 13}">{count}</text>'
        )
    return (
        f'<svg role="img" aria-label="{escape(label)}" width="620" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
    )


def _severity_cell(severity: Severity) -> str:
    return (
        f'<td data-key="{severity.rank}"><span class="sev" style="background:{COLOURS[severity]}">'
        f"{escape(str(severity))}</span></td>"
    )


def _evidence(value: Any) -> str:
    if value in (None, "", {}, []):
        return ""
    import json

    return f"<details><summary>evidence</summary><pre>{escape(json.dumps(value, indent=2))}</pre></details>"


def _context(view: Findings, generated: str) -> str:
    """What was judged, under the title: accounts, caller, profile, region, mutelist, baseline,
    whether SCPs and RCPs were considered (as the command gave them)."""
    rows = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in view.context)
    return f'<dl class="context">{rows}<dt>Generated</dt><dd>{escape(generated)}</dd></dl>'


def findings_html(view: Findings, version: str, generated: str) -> str:
    """Any command's findings as one page (cloudsplaining's and Prowler's reports are the
    anchors): what was judged, a chart by severity and by rule, the command's own sections,
    and a table of every finding that filters and sorts in the browser."""
    shown = view.shown
    by_severity = Counter(i.severity for i in shown)
    cards = "".join(
        f'<div class="card" style="background:{COLOURS[s]}"><b>{by_severity[s]}</b>{escape(str(s))}</div>'
        for s in SEVERITIES
    )
    by_rule = Counter(i.rule for i in shown)
    rank = {rule: (view.rules[rule].severity if rule in view.rules else Severity.INFO) for rule in by_rule}
    rule_bars = [
        (rule, count, COLOURS[rank[rule]])
        for rule, count in sorted(by_rule.items(), key=lambda kv: (rank[kv[0]].rank, -kv[1]))
    ]
    chart = _bars(rule_bars, "findings by rule") or "<p>No findings.</p>"
    headers = "".join(f"<th>{escape(c.header.title())}</th>" for c in view.columns)
    role_column = next((n for n, c in enumerate(view.columns) if c.header in ("ROLE", "FILE")), 0)
    rows = []
    for item in view.items:
        muted = item.suppressed is not None
        reason = escape(str((item.suppressed or {}).get("reason", "")))
        badge = f'<span class="badge" title="{reason}">muted</span>' if muted else ""
        cells = "".join(
            f"<td>{escape(value)}{badge if n == role_column else ''}</td>"
            for n, value in enumerate(item.cells)
        )
        rows.append(
            f'<tr data-severity="{escape(str(item.severity))}" data-rule="{escape(item.rule)}" '
            f'data-muted="{1 if muted else 0}"{" class=muted" if muted else ""}>'
            f"{_severity_cell(item.severity)}{cells}"
            f"<td>{escape(item.message)}{_evidence(item.evidence)}</td>"
            f"<td>{escape(item.remediation)}</td></tr>"
        )
    options = "".join(f'<option value="{escape(str(s))}">{escape(str(s))}</option>' for s in SEVERITIES)
    rule_options = "".join(f'<option value="{escape(r)}">{escape(r)}</option>' for r in sorted(by_rule))
    notes = "".join(f"<li>{escape(n)}</li>" for n in view.notes)
    extra = f"<section><h2>Who reaches what</h2>{view.extra_html()}</section>" if view.extra_html else ""
    trailer = "".join(f"<li>{escape(line)}</li>" for line in view.trailer if line.startswith("fixed: "))
    body = (
        f'<section><h2>Summary</h2><div class="cards">{cards}</div><p>{escape(view.summary)}</p></section>'
        f"<section><h2>Findings by rule</h2>{chart}</section>{extra}"
        '<section><h2>Findings</h2><div class="filters">'
        '<input id="q" type="search" placeholder="Filter…" aria-label="filter">'
        f'<select id="sev" aria-label="severity"><option value="">every severity</option>{options}</select>'
        f'<select id="rule" aria-label="rule"><option value="">every rule</option>{rule_options}</select>'
        '<label><input id="muted" type="checkbox"> show muted</label><span id="shown"></span></div>'
        f'<table id="findings"><thead><tr><th>Severity</th>{headers}'
        "<th>Message</th><th>Remediation</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
        + (f"<section><h2>Fixed since the baseline</h2><ul>{trailer}</ul></section>" if trailer else "")
        + (f'<section><h2>Notes</h2><ul class="notes">{notes}</ul></section>' if notes else "")
    )
    return _page(f"provision {view.command}", f"provisioner {version}", body, _context(view, generated))


def validate_html(result: Report, version: str, generated: str) -> str:
    """validate's checks as one page: each check, its verdict, detail and remediation."""
    counts = Counter(str(c.status) for c in result.checks)
    cards = "".join(
        f'<div class="card" style="background:{colour}"><b>{counts[status]}</b>{status}</div>'
        for status, colour in STATUS_COLOURS.items()
    )
    rows = "".join(
        f'<tr data-severity="{escape(str(c.status))}" data-rule="{escape(c.name)}" data-muted="0">'
        f'<td data-key="{c.status.badness}">'
        f'<span class="sev" style="background:{STATUS_COLOURS[str(c.status)]}">'
        f"{escape(str(c.status).upper())}</span></td><td>{escape(c.name)}</td><td>{escape(c.code or '')}</td>"
        f"<td>{escape(c.detail)}</td><td>{escape(c.remediation or '')}</td></tr>"
        for c in result.checks
    )
    verdict = result.verdict()
    options = "".join(f'<option value="{s}">{s}</option>' for s in STATUS_COLOURS)
    names = "".join(f'<option value="{escape(c.name)}">{escape(c.name)}</option>' for c in result.checks)
    body = (
        f'<section><h2>{escape(verdict)}</h2><div class="cards">{cards}</div>'
        f"<p>{escape(result.role_arn)}</p></section>"
        '<section><h2>Checks</h2><div class="filters">'
        '<input id="q" type="search" placeholder="Filter…" aria-label="filter">'
        f'<select id="sev" aria-label="result"><option value="">every result</option>{options}</select>'
        f'<select id="rule" aria-label="check"><option value="">every check</option>{names}</select>'
        '<label hidden><input id="muted" type="checkbox" checked></label><span id="shown"></span></div>'
        '<table id="findings"><thead><tr><th>Result</th><th>Check</th><th>Code</th><th>Detail</th>'
        f"<th>Remediation</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )
    return _page("provision validate", f"provisioner {version}, {generated}", body)
