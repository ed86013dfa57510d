// The auditor UI: plain ES modules, no build step, no third-party code.
// Routes live in the URL fragment (#/entries?kind=..., #/entry/5, ...), so
// pins given there never reach the server. Everything the explorer returns is
// untrusted: it is rendered as text (never as HTML) and the log itself is
// verified in the browser against the pinned keys (pins.js) by the verifier
// package clients/js, which the explorer serves under lib/ (the same code
// services use, with the same checks and reasons).
import { ExplorerClient, hex, LedgerError, verifyExplorerEntry, verifyExplorerState } from './lib/index.js';
import { loadPins, parseQuorum, pinsFromFragment, savePins, verifierFor } from './pins.js';
import { hourlyChart, timelineChart } from './charts.js';

const base = new URL('./', location.href).href;
// Replaces the page's content; nested arrays and nulls are fine.
const render = (...children) =>
  document.getElementById('main').replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));

// h('tag', {attr: v}, ...children): DOM without innerHTML.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// The answer's text: what is shown (parsed here) and what is verified (the
// package parses the same text strictly) are the same bytes.
async function apiText(path) {
  const r = await fetch(base + path.replace(/^\//, ''));
  const text = await r.text();
  if (!r.ok) {
    let e = {};
    try { e = JSON.parse(text).error || {}; } catch { /* not JSON */ }
    throw new Error(`${e.reason || 'http_' + r.status}: ${e.message || ''}`);
  }
  return text;
}
const api = async (path) => JSON.parse(await apiText(path));

function setState(el, state, text) {
  el.dataset.state = state;
  el.className = 'status ' + state;
  el.textContent = text;
}
// What a refusal means, beside the package's stable reason and detail.
const HINTS = {
  witness_pins_missing: 'no witness quorum pinned: pin the deployment\'s witnesses and quorum (pins.json), or accept unwitnessed checkpoints',
  unverified_note: 'no signature by the pinned log key',
  bad_signature: 'a signature line of a pinned key does not verify with that key',
  origin_mismatch: 'the checkpoint is of another log than the pinned key\'s',
  witness_quorum_not_met: 'fewer pinned witnesses cosigned than the pinned quorum',
  bad_witness_policy: 'the pinned witnesses and quorum do not form a policy',
  recorded_after_cosignature: 'the entry is dated after the witnesses cosigned',
};
const reasonOf = (e) => (e instanceof LedgerError
  ? (HINTS[e.reason] ? `${HINTS[e.reason]} (${e.message})` : e.message)
  : `error: ${e.message}`);

// ---- the log check shown on every page ----
async function runLogCheck(pins) {
  const el = document.getElementById('verify-status');
  const detail = document.getElementById('verify-detail');
  detail.textContent = '';
  if (!pins.log) {
    setState(el, 'unpinned', 'Not verified: no log key pinned (see Pins).');
    return;
  }
  setState(el, 'pending', 'Verifying…');
  try {
    const verifier = await verifierFor(pins);
    const v = await new ExplorerClient(base, verifier).latest();
    const quorum = verifier.policy.quorum;
    const witnessed = quorum > 0 ? `, cosigned by at least ${quorum} pinned witness(es)`
      : pins.unwitnessed ? ' (witnesses not required: you accepted unwitnessed checkpoints)'
      : ' (the pinned deployment requires no witnesses)';
    const cp = v.checkpoint;
    setState(el, 'verified', `Verified: checkpoint of ${cp.origin} at size ${cp.size} is signed by the pinned key${witnessed} and the tiles hash to its root.`);
    const cos = verifier.policy.keys.map((k) =>
      `${k.name}: ${v.cosignatures.some((c) => c.witness === k.name) ? 'verified' : 'missing'}`).join(', ');
    detail.textContent = `Root ${hex(cp.root)} recomputed from ${v.tiles.length} tile(s).` +
      (cos ? ` Witnesses: ${cos}.` : ' No witness key pinned.');
  } catch (e) {
    setState(el, 'failed', `Verification FAILED: ${reasonOf(e)}`);
  }
}

// ---- pages ----
const KINDS = ['KEY_CREATED', 'KEY_IMPORTED', 'KEY_ROTATED', 'KEY_EXPORTED', 'KEY_RETIRED',
  'POLICY_CHANGED', 'SIGNATURE_PRODUCED', 'SIGNATURE_REJECTED', 'STATE_NOTARIZED', 'ENCLAVE_BOOTED',
  'ANCHOR_CONFIRMED', 'RETENTION_SET', 'LEGAL_HOLD_PLACED', 'LEGAL_HOLD_RELEASED', 'RECORD_DISPOSED',
  'EXPORT_CREATED', 'VERIFICATION_RUN'];
const FILTERS = ['subject', 'actor', 'kind', 'outcome', 'from', 'to', 'request_id'];

function entryRow(e) {
  const ev = e.event || {};
  return h('tr', { 'data-index': e.index },
    h('td', {}, h('a', { href: `#/entry/${e.index}` }, e.index)),
    h('td', {}, e.recorded_at || ''),
    h('td', {}, ev.kind || e.decode_error || ''),
    h('td', {}, ev.subject ? h('a', { href: `#/history?subject=${encodeURIComponent(ev.subject)}` }, ev.subject) : ''),
    h('td', {}, (ev.actor && ev.actor.id) || ''),
    h('td', {}, ev.outcome || ''));
}
const entryTable = (entries, id) => h('table', { id },
  h('thead', {}, h('tr', {}, ['index', 'recorded at', 'kind', 'subject', 'actor', 'outcome'].map((t) => h('th', {}, t)))),
  h('tbody', {}, entries.map(entryRow)));

async function pageTimeline(params) {
  const form = h('form', { id: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const f of FILTERS) { const v = form.elements[f].value.trim(); if (v) q.set(f, v); }
    for (const f of ['order', 'hours']) if (params.get(f)) q.set(f, params.get(f));
    location.hash = '#/entries?' + q.toString();
  } },
  ...FILTERS.map((f) => h('label', {}, f + ' ', f === 'kind'
    ? h('select', { name: f }, h('option', { value: '' }, 'any'), KINDS.map((k) => h('option', { value: k, ...(params.get(f) === k ? { selected: '' } : {}) }, k)))
    : f === 'outcome'
      ? h('select', { name: f }, ['', 'SUCCESS', 'DENIED', 'ERROR'].map((k) => h('option', { value: k, ...(params.get(f) === k ? { selected: '' } : {}) }, k || 'any')))
      : h('input', { name: f, value: params.get(f) || '', placeholder: f === 'from' || f === 'to' ? '2026-01-01T00:00:00Z' : '' }))),
  h('button', { type: 'submit' }, 'Search'));
  // Newest first unless order=asc; later pages keep the first page's head
  // (tree_size), so entries appended meanwhile do not shift them.
  const order = params.get('order') === 'asc' ? 'asc' : 'desc';
  const q = new URLSearchParams();
  for (const f of [...FILTERS, 'cursor', 'tree_size']) if (params.get(f)) q.set(f, params.get(f));
  q.set('order', order);
  q.set('limit', '50');
  // The chart's window: the last 24 hours of the log, or ?hours=N (1..168).
  const hours = /^[1-9][0-9]{0,2}$/.test(params.get('hours') || '') && Number(params.get('hours')) <= 168 ? params.get('hours') : '24';
  const [page, hourly] = await Promise.all([api('v1/entries?' + q.toString()), optionalChart(hourlyChart, `v1/stats/entries-per-hour?hours=${hours}`)]);
  const filter = new URLSearchParams();
  for (const f of [...FILTERS, 'hours']) if (params.get(f)) filter.set(f, params.get(f));
  const windowLink = (n, text) => {
    const w = new URLSearchParams(params);
    for (const k of ['vkey', 'witness', 'quorum', 'unwitnessed', 'cursor', 'tree_size']) w.delete(k);
    w.set('hours', n);
    return n === hours ? h('strong', {}, text) : h('a', { href: '#/entries?' + w.toString(), class: 'chart-window' }, text);
  };
  const flipped = new URLSearchParams(filter);
  if (order === 'desc') flipped.set('order', 'asc');
  const next = new URLSearchParams(filter);
  if (order === 'asc') next.set('order', 'asc');
  next.set('tree_size', String(page.tree_size));
  if (page.next_cursor) next.set('cursor', page.next_cursor);
  render(
    h('h2', {}, 'Timeline'), hourly,
    h('p', { class: 'note' }, 'Chart window: ', windowLink('24', 'last 24 hours'), ' · ', windowLink('168', 'last 7 days'), ' of the log'),
    form,
    h('p', {}, `Log size ${page.tree_size}. `,
      h('span', { id: 'order-label', 'data-order': order }, order === 'desc' ? 'Newest first' : 'Oldest first'), ' · ',
      h('a', { href: '#/entries?' + flipped.toString(), id: 'order-toggle' }, order === 'desc' ? 'Show oldest first' : 'Show newest first'), ' · ',
      page.export
        ? h('a', { href: page.export, id: 'export-link', class: 'button', title: 'Export bundle of this filter from ledgerd (recorded as EXPORT_CREATED; asks for your requester name and API token)' }, 'Export')
        : h('span', { id: 'export-link' }, 'Export not configured (explorer --export-url)')),
    entryTable(page.entries, 'entries-table'),
    page.next_cursor ? h('p', {}, h('a', { href: '#/entries?' + next.toString(), id: 'next-page' }, order === 'desc' ? 'Older entries →' : 'Newer entries →')) : h('p', {}, 'End of the selection.'));
}

// A chart of an aggregate route, or a note saying why there is none: the
// page's own content does not depend on it.
async function optionalChart(draw, path, ...args) {
  try {
    return draw(await api(path), ...args);
  } catch (e) {
    return h('p', { class: 'note chart-error' }, `Chart unavailable: ${e.message}`);
  }
}

async function pageEntry(index, pins) {
  const text = await apiText(`v1/entries/${index}`);
  const e = JSON.parse(text);
  const status = h('div', { id: 'entry-status', class: 'status pending' }, 'Verifying this entry…');
  render(
    h('h2', {}, `Entry ${e.index}`), status,
    h('h3', {}, 'Decoded event'), h('pre', { id: 'event-json' }, JSON.stringify(e.event, null, 2)),
    h('h3', {}, 'Leaf'),
    h('dl', {},
      h('dt', {}, 'recorded at'), h('dd', {}, e.recorded_at),
      h('dt', {}, 'leaf hash'), h('dd', { class: 'mono' }, e.leaf_hash),
      h('dt', {}, 'previous leaf hash (chain)'), h('dd', { class: 'mono' }, e.prev_leaf_hash),
      h('dt', {}, 'stamp'), h('dd', {}, e.stamp ? `${e.stamp.key_name} (key id ${e.stamp.key_id})` : 'unstamped'),
      h('dt', {}, 'payload'), h('dd', {}, e.payload ? `${e.payload.digest} — ${e.payload.retained ? 'retained, ' + e.payload.size + ' bytes' : 'not retained'}` : 'none')),
    h('pre', { class: 'mono wrap', id: 'leaf-hex' }, e.leaf_hex),
    h('h3', {}, 'Receipt'),
    h('p', {}, `Inclusion proof (${e.receipt.inclusion_proof.length} hashes) against the checkpoint of size ${e.receipt.tree_size}:`),
    h('pre', { class: 'mono' }, e.receipt.tlog_proof));
  if (!pins.log) return setState(status, 'unpinned', 'Not verified: no log key pinned.');
  try {
    const v = await verifyExplorerEntry(await verifierFor(pins), text, BigInt(index));
    setState(status, 'verified', `Verified: the leaf hashes to ${hex(v.leafHash).slice(0, 16)}… and its inclusion proof leads to the root of the checkpoint of size ${v.checkpoint.size} signed by the pinned key.`);
  } catch (err) {
    setState(status, 'failed', `Verification FAILED: ${reasonOf(err)}`);
  }
}

function signatureList(cp, pins) {
  const pinned = new Set([pins.log.split('+')[0], ...pins.witnesses.map((w) => w.split('+')[0])]);
  return h('ul', {}, cp.signatures.map((s) => h('li', {},
    `${s.name} (key id ${s.key_id})`, s.timestamp ? ` cosigned ${new Date(s.timestamp * 1000).toISOString()}` : '',
    pinned.has(s.name) ? ' — pinned' : ' — not pinned (ignored)')));
}

async function pageCheckpoints(params, pins) {
  const cursor = params.get('cursor') || '0';
  const pinned = new Set(pins.witnesses.map((w) => w.split('+')[0]));
  const [cps, anchors, timeline] = await Promise.all([api(`v1/checkpoints?cursor=${encodeURIComponent(cursor)}`), api('v1/anchors'),
    optionalChart(timelineChart, 'v1/stats/timeline', pinned)]);
  render(
    h('h2', {}, 'Checkpoints, witnesses and anchors'), timeline,
    h('h3', {}, 'Latest checkpoint'),
    cps.latest ? [h('pre', { class: 'mono' }, cps.latest.note), signatureList(cps.latest, pins)] : h('p', {}, 'none yet'),
    h('h3', {}, 'Stored checkpoints'),
    h('table', {}, h('thead', {}, h('tr', {}, ['size', 'root', 'signatures'].map((t) => h('th', {}, t)))),
      h('tbody', {}, cps.checkpoints.map((c) => h('tr', {}, h('td', {}, c.size), h('td', { class: 'mono' }, c.root_hex.slice(0, 16) + '…'), h('td', {}, c.signatures.map((s) => s.name).join(', ')))))),
    cps.next_cursor ? h('p', {}, h('a', { href: `#/checkpoints?cursor=${cps.next_cursor}` }, 'Next →')) : null,
    h('h3', {}, 'Anchors'),
    anchors.anchors.length === 0 ? h('p', {}, 'No ANCHOR_CONFIRMED entry yet.') :
      h('table', {}, h('thead', {}, h('tr', {}, ['entry', 'recorded at', 'evidence'].map((t) => h('th', {}, t)))),
        h('tbody', {}, anchors.anchors.map((a) => h('tr', {},
          h('td', {}, h('a', { href: `#/entry/${a.index}` }, a.index)), h('td', {}, a.recorded_at),
          h('td', {}, h('pre', { class: 'mono' }, JSON.stringify(a.anchor, null, 1))))))));
}

async function pageAttestation() {
  const [boots, keys] = await Promise.all([api('v1/boot-proofs'), api('v1/key-history?limit=200')]);
  const boot = (b) => {
    const bp = b.boot_proof || {}, att = bp.attestation, m = bp.manifest;
    return h('section', { class: 'boot' },
      h('h3', {}, h('a', { href: `#/entry/${b.index}` }, `Boot at entry ${b.index}`), ` — ${b.recorded_at}`),
      att ? h('dl', {},
        h('dt', {}, 'module'), h('dd', {}, att.module_id),
        h('dt', {}, 'time'), h('dd', {}, new Date(att.timestamp_ms).toISOString()),
        Object.entries(att.pcrs).map(([i, v]) => [h('dt', {}, `PCR${i}`), h('dd', { class: 'mono' }, v)]),
        h('dt', {}, 'public key (ephemeral)'), h('dd', { class: 'mono' }, att.public_key),
        h('dt', {}, 'user_data'), h('dd', { class: 'mono' }, att.user_data),
        h('dt', {}, 'certificates'), h('dd', {}, `leaf + ${att.cabundle.length} in the bundle`))
        : h('p', {}, bp.attestation_error ? `attestation does not parse: ${bp.attestation_error}` : 'attestation document not retained'),
      m ? [h('h4', {}, 'Manifest'), h('dl', {},
        h('dt', {}, 'origin'), h('dd', {}, m.origin),
        h('dt', {}, 'PCR0'), h('dd', { class: 'mono' }, m.pcr0),
        h('dt', {}, 'operators'), h('dd', {}, `${m.operators.map((o) => o.name).join(', ')} (threshold ${m.threshold})`),
        h('dt', {}, 'submitters'), h('dd', {}, m.submitters.map((s) => `${s.name}: ${s.kinds.join(' ')}`).join('; ')),
        h('dt', {}, 'witnesses'), h('dd', {}, `${m.witnesses.join(', ') || 'none'} (quorum ${m.witness_quorum})`))] : null,
      h('p', { class: 'note' }, 'Check the document against the AWS Nitro root with ledgerctl verify-attestation (docs/verification.md).'));
  };
  render(h('h2', {}, 'Attestation and key history'),
    boots.boot_proofs.length ? boots.boot_proofs.map(boot) : h('p', {}, 'No ENCLAVE_BOOTED entry.'),
    h('h3', {}, 'Key history'), entryTable(keys.events));
}

// Flattens an event to path -> value, for field-level diffs.
function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj || {})) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, p, out); else out[p] = JSON.stringify(v);
  }
  return out;
}
function diff(before, after) {
  const a = flatten(before), b = flatten(after), rows = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'event_id' || k === 'request_id') continue;
    if (!(k in a)) rows.push(['added', k, '', b[k]]);
    else if (!(k in b)) rows.push(['removed', k, a[k], '']);
    else if (a[k] !== b[k]) rows.push(['changed', k, a[k], b[k]]);
  }
  return rows;
}

// The subject page: its latest state, verified here against the pinned key
// (map proof to the signed map root, inclusion of the latest entry), and
// every version with the field-level diffs from the one before.
async function pageHistory(params, pins) {
  const subject = params.get('subject') || '';
  const form = h('form', { onsubmit: (ev) => { ev.preventDefault(); location.hash = '#/history?subject=' + encodeURIComponent(form.elements.subject.value); } },
    h('label', {}, 'subject ', h('input', { name: 'subject', value: subject })), h('button', {}, 'Show'));
  if (!subject) return render(h('h2', {}, 'Subject history'), form);
  const path = `v1/state/${encodeURIComponent(subject)}`;
  const [stateText, hist] = await Promise.all([apiText(path), api(`${path}/history?limit=200`)]);
  const state = JSON.parse(stateText);
  const versions = hist.versions;
  const status = h('div', { id: 'state-status', class: 'status pending' }, 'Verifying the latest state…');
  const s = state.state || {};
  render(h('h2', {}, `History of ${subject}`), form,
    h('h3', {}, 'Latest state'), status,
    h('dl', {},
      h('dt', {}, 'as of tree size'), h('dd', {}, String(s.tree_size)),
      h('dt', {}, 'version'), h('dd', { id: 'state-version' }, s.present ? String(s.version) : 'absent (no entry names this subject)'),
      h('dt', {}, 'latest entry'), h('dd', {}, s.present ? h('a', { href: `#/entry/${s.index}` }, String(s.index)) : '—'),
      h('dt', {}, 'state hash'), h('dd', { class: 'mono', id: 'state-hash' }, s.present ? (s.state_hash || 'none') : '—'),
      h('dt', {}, 'map root'), h('dd', { class: 'mono' }, s.map_root || '')),
    h('h3', {}, `Versions (${versions.length}${hist.next_cursor ? '+' : ''} of ${hist.version})`),
    versions.map((v, i) => h('section', { class: 'version' },
      h('h3', {}, h('a', { href: `#/entry/${v.index}` }, `Version ${i + 1}: entry ${v.index}`), ` — ${v.event.kind} at ${new Date(v.recorded_at_us / 1000).toISOString()}`),
      i === 0 ? h('pre', {}, JSON.stringify(v.event, null, 2))
        : h('table', { class: 'diff' }, h('tbody', {}, diff(versions[i - 1].event, v.event).map(([t, k, x, y]) =>
          h('tr', { class: t }, h('td', {}, t), h('td', {}, k), h('td', { class: 'mono' }, x), h('td', { class: 'mono' }, y))))))));
  if (!pins.log) return setState(status, 'unpinned', 'Not verified: no log key pinned.');
  try {
    // The shown summary (version, entry, state hash, map root) must be the
    // proof's (state_mismatch), and the answer about the subject asked for.
    const v = await verifyExplorerState(await verifierFor(pins), stateText, { subject });
    setState(status, 'verified', v.present
      ? `Verified in this browser: version ${v.version}, entry ${v.index} is the latest naming ${subject} in the checkpoint of size ${v.checkpoint.size} signed by the pinned key (map proof and inclusion proof).`
      : `Verified in this browser: no entry names ${subject} in the checkpoint of size ${v.checkpoint.size} signed by the pinned key (absence proof).`);
  } catch (err) {
    setState(status, 'failed', `Verification FAILED: ${reasonOf(err)}`);
  }
}

function pagePins(pins) {
  const form = h('form', { id: 'pins-form', onsubmit: (ev) => {
    ev.preventDefault();
    savePins({ log: form.elements.log.value.trim(), witnesses: form.elements.witnesses.value.split('\n').map((s) => s.trim()).filter(Boolean),
               quorum: parseQuorum(form.elements.quorum.value), unwitnessed: form.elements.unwitnessed.checked });
    location.hash = '#/';
  } },
  h('label', {}, 'Log verifier key (vkey) ', h('input', { name: 'log', size: 90, value: pins.log })),
  h('label', {}, 'Witness verifier keys, one per line ', h('textarea', { name: 'witnesses', rows: 4, cols: 90 }, pins.witnesses.join('\n'))),
  h('label', {}, 'Witness quorum K (the manifest\'s witness_quorum; empty: every pinned witness) ',
    h('input', { name: 'quorum', size: 4, value: pins.quorum === null ? '' : String(pins.quorum) })),
  h('label', {}, h('input', { name: 'unwitnessed', type: 'checkbox', ...(pins.unwitnessed ? { checked: 'checked' } : {}) }),
    ' Accept checkpoints without the witness quorum (a log signature alone may be a rolled-back head)'),
  h('button', { type: 'submit' }, 'Pin'));
  render(h('h2', {}, 'Pinned keys'),
    h('p', {}, 'Verification uses only these keys, which you obtain out of band (the deployment prints them and writes them to its data directory). They are kept in this browser; the explorer never supplies them. Every checkpoint must carry K valid cosignatures of the pinned witnesses. A link can carry them in its fragment: #/?vkey=…&witness=…&quorum=K'),
    form);
}

// ---- router ----
async function route() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const pins = pinsFromFragment(params) || loadPins();
  document.getElementById('pins-summary').textContent = pins.log ? `log key ${pins.log.split('+').slice(0, 2).join('+')}, ${pins.witnesses.length} witness key(s), quorum ${pins.unwitnessed ? 'not required' : pins.quorum ?? pins.witnesses.length}` : 'no key pinned';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', raw.startsWith(a.getAttribute('href').slice(1)) && a.getAttribute('href') !== '#/');
  const check = runLogCheck(pins);
  try {
    let m;
    if ((m = /^\/entry\/(\d+)$/.exec(path))) await pageEntry(m[1], pins);
    else if (path === '/checkpoints') await pageCheckpoints(params, pins);
    else if (path === '/attestation') await pageAttestation();
    else if (path === '/history') await pageHistory(params, pins);
    else if (path === '/pins') pagePins(pins);
    else await pageTimeline(params);
  } catch (e) {
    render(h('p', { class: 'status failed', id: 'page-error' }, `Cannot load: ${e.message}`));
  }
  await check;
  document.body.dataset.ready = 'true';
}

window.addEventListener('hashchange', route);
route();
