// The verifier keys the auditor pins: the log's vkey, the witnesses' vkeys
// and the witness quorum K every checkpoint must meet, obtained out of band
// (the deployment prints them and writes them to its data directory, see
// explorer/README.md, "Pinning"). They come from the URL fragment
// (#...?vkey=...&witness=...&quorum=K, which is never sent to the server) or
// from what was saved in this browser's localStorage — never from the
// explorer. verifierFor turns them into the verifier package's pins
// (clients/js, served under lib/).
import { LedgerVerifier, WitnessPolicy } from './lib/index.js';

const KEY = 'ledger-explorer-pins';

export function loadPins() {
  try {
    const p = JSON.parse(localStorage.getItem(KEY) || '{}');
    return { log: p.log || '', witnesses: Array.isArray(p.witnesses) ? p.witnesses : [],
             quorum: Number.isInteger(p.quorum) ? p.quorum : null, unwitnessed: p.unwitnessed === true };
  } catch {
    return { log: '', witnesses: [], quorum: null, unwitnessed: false };
  }
}

export function savePins(pins) {
  localStorage.setItem(KEY, JSON.stringify(pins));
}

// A vkey never contains a space; a '+' that became one in a query string is
// put back.
const clean = (v) => v.trim().replace(/ /g, '+');

// "7" -> 7; anything but a canonical decimal -> null (then every pinned
// witness is required).
export function parseQuorum(v) {
  return v !== null && /^(0|[1-9][0-9]{0,2})$/.test(v.trim()) ? Number(v.trim()) : null;
}

// Pins given in the fragment replace the saved ones (and are saved):
// vkey, witness (repeated), quorum (the deployment's K, the manifest's
// witness_quorum) and unwitnessed=1 (accept a checkpoint without it).
export function pinsFromFragment(params) {
  if (!params.has('vkey') && !params.has('witness')) return null;
  const pins = { log: clean(params.get('vkey') || ''), witnesses: params.getAll('witness').map(clean).filter(Boolean),
                 quorum: parseQuorum(params.get('quorum')), unwitnessed: params.get('unwitnessed') === '1' };
  savePins(pins);
  return pins;
}

// The package's LedgerVerifier for these pins. The witness quorum is required
// by default: the pinned quorum K, or every pinned witness when none is
// given; nothing pinned is refused (witness_pins_missing) unless the auditor
// explicitly accepts unwitnessed checkpoints or pinned a deployment without
// witnesses (quorum=0). A log signature alone may be the checkpoint the
// notary signed on a rolled-back head at a restart, before the witnesses
// refused it.
export async function verifierFor(pins) {
  if (pins.unwitnessed) {
    return LedgerVerifier.create(pins.log, { witnesses: await WitnessPolicy.create(pins.witnesses, 0), allowUnwitnessed: true });
  }
  const none = pins.quorum === null && pins.witnesses.length === 0;
  return LedgerVerifier.create(pins.log, { witnesses: none ? null : await WitnessPolicy.create(pins.witnesses, pins.quorum) });
}
