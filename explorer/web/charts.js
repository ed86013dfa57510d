// The UI's pictures, drawn as inline SVG from the explorer's aggregates
// (/v1/stats/...): no library, no CDN, nothing but DOM calls, so the page's
// Content Security Policy (script-src 'self') holds. Every chart carries its
// text alternative: a <title> and aria-label on the SVG, a <title> (shown on
// hover) on every bar, and the same numbers in a table under the chart.
// Values from the explorer are set as text or attributes, never as markup.

const SVG = 'http://www.w3.org/2000/svg';

// svg('rect', {x: 1}, ...children): an SVG element; strings become text.
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// The same for HTML (tables and legends beside the pictures).
function html(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Distinguishable on white and for the common colour-vision deficiencies
// (Okabe–Ito, then darker tones); the legend names every colour anyway.
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442',
  '#000000', '#5d3a9b', '#8c564b', '#1b7837', '#b2182b'];
export const seriesName = (s) => `${s.kind} ${s.outcome}`;

// "42 s ago", "5 min ago", "3 h ago", "12 d ago" for a number of seconds.
export function ago(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s ago`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

// An hour of an RFC 3339 UTC time: "HH:MM", with the date ("MM-DD HH:MM")
// when the chart spans days.
const hourLabel = (iso, days) => (days ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16));

// Stacked bars of /v1/stats/entries-per-hour: one bar per hour, one segment
// per (kind, outcome) series with entries in that hour.
export function hourlyChart(data) {
  const W = 760, H = 220, left = 44, right = 8, top = 10, bottom = 28;
  const plotW = W - left - right, plotH = H - top - bottom;
  const buckets = data.buckets, series = data.series;
  const max = Math.max(1, ...buckets.map((b) => b.total));
  const barW = plotW / Math.max(1, buckets.length);
  const total = buckets.reduce((n, b) => n + b.total, 0);
  const label = `Entries per hour by kind and outcome, ${buckets.length} hours from ${data.from || '—'} to ${data.to || '—'}: ` +
    `${total} entries in ${series.length} series, at most ${max === 1 && total === 0 ? 0 : max} in one hour.`;
  const bars = buckets.map((b, i) => {
    let y = top + plotH;
    const segments = [];
    b.counts.forEach((n, j) => {
      if (!n) return;
      const h = (n / max) * plotH;
      y -= h;
      segments.push(svg('rect', { class: 'segment', x: (left + i * barW + 1).toFixed(1), y: y.toFixed(1),
        width: Math.max(1, barW - 2).toFixed(1), height: h.toFixed(1), fill: PALETTE[j % PALETTE.length],
        'data-series': seriesName(series[j]), 'data-count': n },
      svg('title', {}, `${b.start}: ${n} ${seriesName(series[j])}`)));
    });
    return svg('g', { class: 'bar', 'data-start': b.start, 'data-total': b.total },
      svg('title', {}, `${b.start}: ${b.total} entries`), segments);
  });
  const days = buckets.length > 24;
  const every = Math.max(1, Math.ceil(buckets.length / (days ? 8 : 12)));
  const ticks = buckets.map((b, i) => (i % every === 0
    ? svg('text', { x: (left + i * barW + barW / 2).toFixed(1), y: H - 10, 'text-anchor': 'middle', class: 'tick' }, hourLabel(b.start, days))
    : null));
  const picture = svg('svg', { id: 'chart-hourly-svg', viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img',
    'aria-label': label, 'data-bars': buckets.length, 'data-series': series.length },
  svg('title', {}, label),
  svg('line', { x1: left, y1: top + plotH, x2: W - right, y2: top + plotH, stroke: '#57606a' }),
  svg('line', { x1: left, y1: top, x2: left, y2: top + plotH, stroke: '#57606a' }),
  svg('text', { x: left - 6, y: top + 10, 'text-anchor': 'end', class: 'tick' }, String(max)),
  svg('text', { x: left - 6, y: top + plotH, 'text-anchor': 'end', class: 'tick' }, '0'),
  bars, ticks);
  const legend = html('ul', { class: 'legend' }, series.map((s, j) =>
    html('li', { class: 'legend-item', 'data-series': seriesName(s) },
      html('span', { class: `swatch swatch-${j % PALETTE.length}` }), seriesName(s))));
  const table = html('details', {}, html('summary', {}, 'The numbers'),
    html('table', { class: 'chart-data' },
      html('thead', {}, html('tr', {}, html('th', {}, 'hour (UTC)'), series.map((s) => html('th', {}, seriesName(s))), html('th', {}, 'total'))),
      html('tbody', {}, buckets.filter((b) => b.total > 0).map((b) =>
        html('tr', {}, html('td', {}, b.start), b.counts.map((n) => html('td', {}, n)), html('td', {}, b.total))))));
  const note = data.truncated
    ? html('p', { class: 'note' }, `Only the newest ${data.scanned} entries of the window were counted (from entry ${data.oldest_index}).`)
    : null;
  return html('figure', { id: 'chart-hourly', class: 'chart' },
    html('figcaption', {}, `Entries per hour (UTC) by kind and outcome, up to the hour of the newest entry of size ${data.tree_size}`),
    picture, legend, note, table);
}

// The witnessing and anchoring timeline of /v1/stats/timeline: per witness
// and for the anchor, a bar as long as the part of the log it covers (the
// size it last cosigned or anchored, of the head's size), with how long ago.
// `pinned` names the witnesses the auditor pinned; `nowMs` is the clock.
export function timelineChart(t, pinned = new Set(), nowMs = Date.now()) {
  const rows = t.witnesses.map((w) => ({
    kind: 'witness', name: w.name, size: w.size, key: `key ${w.key_id}`,
    seconds: w.timestamp === null ? null : nowMs / 1000 - w.timestamp,
    extra: [pinned.has(w.name) ? 'pinned' : 'not pinned', w.verified === true ? 'verified with the manifest key'
      : w.verified === false ? 'DOES NOT verify with the manifest key' : null].filter(Boolean).join(', '),
  }));
  rows.push(t.anchor
    ? { kind: 'anchor', name: `anchor (chain ${t.anchor.chain_id || '?'})`, size: t.anchor.size, key: `entry ${t.anchor.index}`,
        seconds: nowMs / 1000 - t.anchor.recorded_at_us / 1e6, extra: 'recorded in the log' }
    : { kind: 'anchor', name: 'anchor', size: null, key: '', seconds: null, extra: 'no ANCHOR_CONFIRMED entry' });
  const W = 760, rowH = 34, left = 190, right = 250, top = 8;
  const H = top + rowH * rows.length + 24;
  const plotW = W - left - right;
  const head = Math.max(1, t.tree_size);
  const describe = (r) => (r.size === null
    ? `${r.name}: ${r.kind === 'anchor' ? 'none yet' : `no cosignature in the latest ${t.checkpoints_scanned} checkpoints`}`
    : `${r.name}: size ${r.size} of ${t.tree_size} (${Math.max(0, t.tree_size - r.size)} behind), ${ago(r.seconds)}`);
  const label = `Witnessing and anchoring: log size ${t.tree_size}` +
    (t.recorded_at_us ? `, newest entry ${ago(nowMs / 1000 - t.recorded_at_us / 1e6)}` : '') + '. ' +
    rows.map(describe).join('; ') + '.';
  const tracks = rows.map((r, i) => {
    const y = top + i * rowH;
    const w = r.size === null ? 0 : Math.min(1, r.size / head) * plotW;
    return svg('g', { class: 'track', 'data-kind': r.kind, 'data-name': r.name, 'data-size': r.size === null ? '' : r.size },
      svg('title', {}, describe(r)),
      svg('text', { x: left - 8, y: y + 20, 'text-anchor': 'end' }, r.name),
      svg('rect', { x: left, y: y + 6, width: plotW, height: 20, fill: '#eaeef2' }),
      svg('rect', { class: 'covered', x: left, y: y + 6, width: w.toFixed(1), height: 20,
        fill: r.kind === 'anchor' ? '#e69f00' : '#0072b2' }),
      svg('text', { x: left + plotW + 8, y: y + 20, class: 'ago' },
        r.size === null ? 'never' : `${r.size} · ${ago(r.seconds)}`));
  });
  const axisY = top + rowH * rows.length + 4;
  const picture = svg('svg', { id: 'chart-timeline-svg', viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img',
    'aria-label': label, 'data-tracks': rows.length },
  svg('title', {}, label), tracks,
  svg('line', { x1: left, y1: axisY, x2: left + plotW, y2: axisY, stroke: '#57606a' }),
  svg('text', { x: left, y: axisY + 16, class: 'tick' }, '0'),
  svg('text', { x: left + plotW, y: axisY + 16, 'text-anchor': 'end', class: 'tick' }, `size ${t.tree_size} (head)`));
  const table = html('table', { class: 'chart-data' },
    html('thead', {}, html('tr', {}, ['who', 'size', 'behind the head', 'when', 'key / entry', ''].map((c) => html('th', {}, c)))),
    html('tbody', {}, rows.map((r) => html('tr', {},
      html('td', {}, r.name), html('td', {}, r.size === null ? '—' : r.size),
      html('td', {}, r.size === null ? '—' : Math.max(0, t.tree_size - r.size)),
      html('td', {}, r.seconds === null ? '—' : ago(r.seconds)), html('td', { class: 'mono' }, r.key), html('td', {}, r.extra)))));
  return html('figure', { id: 'chart-timeline', class: 'chart' },
    html('figcaption', {}, `Witnessing and anchoring: how far each witness and the chain anchor have seen the log of size ${t.tree_size}` +
      (t.recorded_at_us ? ` (newest entry ${ago(nowMs / 1000 - t.recorded_at_us / 1e6)})` : '')),
    picture, table,
    html('p', { class: 'note' }, 'Cosignature lines as stored with each checkpoint; the banner above verifies the latest checkpoint\'s cosignatures with your pinned witness keys.' +
      (t.complete ? '' : ` Only the latest ${t.checkpoints_scanned} stored checkpoints were read.`)));
}
