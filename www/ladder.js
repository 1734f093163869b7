// The ladder (sequence) diagram: client and server columns, one arrow per datagram in
// virtual time, notes (timers, retransmissions, state changes) beside the columns.
// Redrawn from the whole run each time: a handshake is a few dozen datagrams.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const CLIENT_X = 120;
const SERVER_X = 520;
const TOP = 40;
// Pixels per virtual millisecond, and the bounds of one gap between two instants:
// long waits (retransmission timers) are squeezed, short ones stretched to be readable.
const PX_PER_MS = 0.5;
const MIN_GAP = 22;
const MAX_GAP = 70;

// Datagrams sent at the same instant (a flight split to the MTU) are drawn this far
// apart, so their arrows do not lie on top of each other.
const SAME_INSTANT = 24;

/**
 * Maps virtual times to y coordinates, squeezing long gaps; `room` gives the extra
 * pixels an instant needs below it for stacked arrows.
 */
function timeScale(times, room) {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const ys = new Map();
  const gaps = [];
  let y = TOP;
  sorted.forEach((t, i) => {
    if (i > 0) {
      const prev = sorted[i - 1];
      const gap = t - prev;
      const h = Math.min(MAX_GAP, Math.max(MIN_GAP, gap * PX_PER_MS)) + (room.get(prev) ?? 0);
      if (gap * PX_PER_MS > MAX_GAP) gaps.push({ y: y + h / 2, ms: gap });
      y += h;
    }
    ys.set(t, y);
  });
  return { y: (t) => ys.get(t) ?? y, height: y + 40 + (room.get(sorted.at(-1)) ?? 0), gaps };
}

/**
 * Each datagram's vertical offset below its instant: datagrams a side sends at the same
 * instant are stacked, and a reply starts level with the last datagram that arrived at
 * that instant (so a flight split into several datagrams is answered after its end).
 */
function stackOffsets(datagrams) {
  const sent = new Map();
  const landed = new Map();
  const offsets = new Map();
  const room = new Map();
  for (const d of datagrams) {
    const key = `${d.from}@${d.sentAt}`;
    const k = sent.get(key) ?? 0;
    sent.set(key, k + 1);
    const offset = (landed.get(key) ?? 0) + k * SAME_INSTANT;
    offsets.set(d.id, offset);
    if (d.arrivesAt !== null && d.arrivesAt !== undefined) {
      const at = `${d.from === 'client' ? 'server' : 'client'}@${d.arrivesAt}`;
      landed.set(at, Math.max(landed.get(at) ?? 0, offset));
    }
    for (const t of [d.sentAt, d.arrivesAt ?? d.sentAt]) {
      room.set(t, Math.max(room.get(t) ?? 0, offset));
    }
  }
  return { offsets, room, landed };
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A short label for a datagram: its records' messages without message_seq. Encrypted
 * records are written {Like This}, the notation of RFC 8446's diagrams.
 */
export function datagramLabel(d) {
  return d.records
    .map((r) => {
      const name = r.title
        .replace(/ \(message_seq \d+\)/, '')
        .replace(/ \(message_seq \d+, bytes (\d+)\.\.(\d+) of (\d+)\)/, ' [$1..$2 of $3]')
        .replace(/ \(encrypted\)/, '');
      return r.epoch > 0 ? `{${name}}` : name;
    })
    .join(' + ');
}

/**
 * Draws the run into `container`.
 * @param {HTMLElement} container
 * @param {{datagrams: object[], notes: object[], now: number, selected: number|null}} run
 * @param {(id: number) => void} onSelect called when an arrow is chosen
 */
export function drawLadder(container, run, onSelect) {
  const times = [0, run.now];
  for (const d of run.datagrams) {
    times.push(d.sentAt);
    if (d.arrivesAt !== null && d.arrivesAt !== undefined) times.push(d.arrivesAt);
    else times.push(d.sentAt + 20);
  }
  for (const n of run.notes) times.push(n.at);
  const stack = stackOffsets(run.datagrams);
  const scale = timeScale(times, stack.room);
  const svg = el('svg', {
    viewBox: `0 0 ${WIDTH} ${scale.height}`,
    width: '100%',
    role: 'group',
    'aria-label': 'Datagrams between client and server, in time order',
  });
  svg.append(el('defs'));
  svg.firstChild.innerHTML =
    '<marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker>';

  for (const [x, name] of [[CLIENT_X, 'Client'], [SERVER_X, 'Server']]) {
    svg.append(el('text', { x, y: 20, class: 'column-title', 'text-anchor': 'middle' }, name));
    svg.append(el('line', { x1: x, y1: 28, x2: x, y2: scale.height - 10, class: 'lifeline' }));
  }
  for (const gap of scale.gaps) {
    svg.append(el('text', { x: WIDTH / 2, y: gap.y + 4, class: 'gap', 'text-anchor': 'middle' }, `⋯ ${gap.ms} ms later ⋯`));
  }
  drawFlights(svg, run.datagrams, scale, stack.offsets);
  // Notes at the same instant on the same side are stacked, not drawn over each other.
  const stacked = new Map();
  for (const n of run.notes) {
    const key = `${n.side}@${n.at}`;
    const row = stacked.get(key) ?? 0;
    if (drawNote(svg, n, scale, (stack.landed.get(key) ?? 0) + row * 12)) stacked.set(key, row + 1);
  }
  for (const d of run.datagrams) drawDatagram(svg, d, run, scale, stack.offsets.get(d.id), onSelect);
  container.replaceChildren(svg);
  const selected = svg.querySelector('.datagram.selected');
  if (!selected) container.scrollTop = container.scrollHeight;
}

/** Brackets on the sender's side grouping each flight's first transmission. */
function drawFlights(svg, datagrams, scale, offsets) {
  const flights = new Map();
  for (const d of datagrams) {
    if (!d.flight || d.retransmission) continue;
    const y = scale.y(d.sentAt) + offsets.get(d.id);
    const f = flights.get(d.flight) ?? { from: d.from, top: y, bottom: y };
    f.bottom = Math.max(f.bottom, y);
    flights.set(d.flight, f);
  }
  for (const [n, f] of flights) {
    const x = f.from === 'client' ? CLIENT_X - 14 : SERVER_X + 14;
    const y1 = f.top - 6;
    const y2 = f.bottom + 6;
    svg.append(el('line', { x1: x, y1, x2: x, y2, class: 'flight' }));
    const client = f.from === 'client';
    svg.append(el('text', {
      x: client ? CLIENT_X + 6 : SERVER_X - 6,
      y: y1,
      class: 'flight-label',
      'text-anchor': client ? 'start' : 'end',
    }, `Flight ${n}`));
  }
}

/** Draws a note beside its side's lifeline, `offset` px down; false if not shown. */
function drawNote(svg, note, scale, offset) {
  // Glyphs every system font has (DejaVu, Noto): no emoji.
  const shown = { timer: '◷', retransmit: '↻', connected: '✓', error: '⚠', closed: '✉', data: '✉' };
  if (!(note.kind in shown)) return false;
  const client = note.side === 'client';
  const x = client ? CLIENT_X - 20 : SERVER_X + 20;
  let text = note.text;
  if (note.kind === 'timer') text = text.replace('retransmission timer set: fires in', 'timer');
  if (note.kind === 'retransmit') text = 'resend flight';
  if (note.kind === 'connected') text = 'connected';
  // Beside a lifeline there is room for a few words; the whole note is the tooltip.
  const short = text.length > 22 ? `${text.slice(0, 21)}…` : text;
  const label = el('text', {
    x,
    y: scale.y(note.at) + 14 + offset,
    class: `note note-${note.kind}`,
    'text-anchor': client ? 'end' : 'start',
  }, `${shown[note.kind]} ${short}`);
  label.append(el('title', {}, note.text));
  svg.append(label);
  return true;
}

function drawDatagram(svg, d, run, scale, offset, onSelect) {
  const fromX = d.from === 'client' ? CLIENT_X : SERVER_X;
  const toX = d.from === 'client' ? SERVER_X : CLIENT_X;
  const y1 = scale.y(d.sentAt) + offset;
  const lost = d.fate === 'dropped';
  const label = datagramLabel(d);
  const encrypted = d.records.some((r) => r.epoch > 0);
  const classes = ['datagram', lost ? 'lost' : '', d.retransmission ? 'retx' : '', encrypted ? 'enc' : '',
    run.selected === d.id ? 'selected' : ''].filter(Boolean).join(' ');
  const g = el('g', {
    class: classes,
    tabindex: 0,
    role: 'button',
    'data-id': d.id,
    'aria-label': `Datagram ${d.id} from ${d.from}, ${d.size} bytes, ${d.fate}${d.retransmission ? ', retransmission' : ''}: ${label}`,
  });
  let midX;
  let midY;
  if (lost) {
    // Half way across, then it falls off the link.
    midX = (fromX + toX) / 2;
    midY = y1 + 12;
    g.append(el('line', { x1: fromX, y1, x2: midX, y2: midY, class: 'arrow' }));
    g.append(el('path', { d: `M${midX},${midY} q 10,10 4,28`, class: 'fall' }));
    g.append(el('text', { x: midX + 4, y: midY + 44, class: 'lost-mark', 'text-anchor': 'middle' }, '✕ lost'));
  } else {
    const y2 = scale.y(d.arrivesAt) + offset;
    const inFlight = d.arrivesAt > run.now;
    g.append(el('line', {
      x1: fromX, y1, x2: toX, y2,
      class: `arrow${inFlight ? ' in-flight' : ''}`,
      'marker-end': 'url(#head)',
    }));
    midX = (fromX + toX) / 2;
    midY = (y1 + y2) / 2;
  }
  if (!d.retransmission && d.records.some((r) => r.title.startsWith('ChangeCipherSpec'))) {
    // The epoch switch: everything after ChangeCipherSpec is under the new keys.
    const client = d.from === 'client';
    svg.append(el('line', { x1: fromX - 30, y1: y1 + 2, x2: fromX + 30, y2: y1 + 2, class: 'epoch' }));
    svg.append(el('text', {
      x: client ? fromX - 34 : fromX + 34,
      y: y1 - 2,
      class: 'epoch-label',
      'text-anchor': client ? 'end' : 'start',
    }, 'epoch 0 → 1'));
  }
  const prefix = d.retransmission ? '↻ ' : '';
  const fate = d.fate === 'duplicated' ? ' (×2)' : d.fate === 'reordered' ? ' (late)' : '';
  g.append(el('text', { x: midX, y: midY - 6, class: 'label', 'text-anchor': 'middle' }, `${prefix}${label}${fate}`));
  // A wide invisible line makes the arrow easy to hit.
  g.append(el('line', { x1: fromX, y1, x2: lost ? midX : toX, y2: lost ? midY : scale.y(d.arrivesAt) + offset, class: 'hit' }));
  g.addEventListener('click', () => onSelect(d.id));
  g.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(d.id);
    }
  });
  svg.append(g);
}
