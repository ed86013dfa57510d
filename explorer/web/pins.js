// The verifier keys the auditor pins: the log's vkey and the witnesses'
// vkeys, obtained out of band (the deployment prints them and writes them to
// its data directory, see the README "Pinning"). They come from the URL
// fragment (#...?vkey=...&witness=..., which is never sent to the server) or
// from what was saved in this browser's localStorage — never from the
// explorer.

const KEY = 'ledger-explorer-pins';

export function loadPins() {
  try {
    const p = JSON.parse(localStorage.getItem(KEY) || '{}');
    return { log: p.log || '', witnesses: Array.isArray(p.witnesses) ? p.witnesses : [] };
  } catch {
    return { log: '', witnesses: [] };
  }
}

export function savePins(pins) {
  localStorage.setItem(KEY, JSON.stringify(pins));
}

// A vkey never contains a space; a '+' that became one in a query string is
// put back.
const clean = (v) => v.trim().replace(/ /g, '+');

// Pins given in the fragment replace the saved ones (and are saved).
export function pinsFromFragment(params) {
  if (!params.has('vkey') && !params.has('witness')) return null;
  const pins = { log: clean(params.get('vkey') || ''), witnesses: params.getAll('witness').map(clean).filter(Boolean) };
  savePins(pins);
  return pins;
}
