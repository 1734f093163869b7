// The ladder (sequence) diagram: client and server columns, one arrow per datagram in
// virtual time, notes (timers, retransmissions, state changes) beside the columns.
// Redrawn from the whole run each time: a handshake is a few dozen datagrams.

import { declutter } from './declutter.js';

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
 * pixels an instant needs below it for stacked arrows, and `nudges` (keyed `g<instant>`)
 * lengthen the gap after an instant to move its label clear of other texts.
 */
function timeScale(times, room, nudges) {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const ys = new Map();
  const gaps = [];
  let y = TOP;
  sorted.forEach((t, i) => {
    if (i > 0) {
      const prev = sorted[i - 1];
      const gap = t - prev;
      const h = Math.min(MAX_GAP, Math.max(MIN_GAP, gap * PX_PER_MS)) + (room.get(prev) ?? 0);
      const nudge = nudges.get(`g${prev}`) ?? 0;
      if (gap * PX_PER_MS > MAX_GAP) gaps.push({ y: y + h / 2 + nudge, ms: gap, owner: `g${prev}` });
      y += h + nudge;
    }
    ys.set(t, y);
  });
  return { y: (t) => ys.get(t) ?? y, height: y + 40 + (room.get(sorted.at(-1)) ?? 0), gaps };
}

/**
 * Each datagram's vertical offset below its instant: datagrams a side sends at the same
 * instant are stacked, and a reply starts level with the last datagram that arrived at
 * that instant (so a flight split into several datagrams is answered after its end).
 * `nudges` (keyed `d<id>`) move a datagram further down, and those stacked below it.
 */
function stackOffsets(datagrams, nudges) {
  const lastSent = new Map();
  const landed = new Map();
  const offsets = new Map();
  const room = new Map();
  for (const d of datagrams) {
    const key = `${d.from}@${d.sentAt}`;
    const start = lastSent.has(key) ? lastSent.get(key) + SAME_INSTANT : (landed.get(key) ?? 0);
    const offset = start + (nudges.get(`d${d.id}`) ?? 0);
    lastSent.set(key, offset);
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

/**
 * One element of the picture: laid out as plain objects, so that the declutter pass
 * can lay the ladder out many times without touching the page, and made into SVG once.
 */
function el(name, attrs = {}, text) {
  const children = [];
  return { name, attrs, text, children, append: (...nodes) => children.push(...nodes) };
}

/**
 * A text the declutter pass may move: `key` names it across layouts, `owner` is what
 * moves it (a datagram `d<id>`, a note `n<index>`, a squeezed gap `g<instant>`).
 */
function movable(attrs, content, key, owner) {
  return el('text', { ...attrs, 'data-key': key, 'data-owner': owner }, content);
}

/** The picture's movable texts, as `declutter` takes them. */
function textsOf(picture) {
  const texts = [];
  const visit = (node) => {
    const { 'data-key': key, 'data-owner': owner, x, y } = node.attrs;
    if (key !== undefined) texts.push({ key, owner, x, y });
    node.children.forEach(visit);
  };
  visit(picture);
  return texts;
}

/** The picture as SVG elements. */
function toSvg(node) {
  const element = document.createElementNS(SVG, node.name);
  for (const [k, v] of Object.entries(node.attrs)) element.setAttribute(k, v);
  if (node.text !== undefined) element.textContent = node.text;
  element.append(...node.children.map(toSvg));
  return element;
}

/** Each movable text's box relative to its anchor point, measured where it is drawn. */
function measureTexts(svg) {
  const sizes = new Map();
  for (const t of svg.querySelectorAll('text[data-key]')) {
    const box = t.getBBox();
    // Zero when the ladder is not rendered (a hidden panel): nothing to measure.
    if (box.width === 0) continue;
    const x = Number(t.getAttribute('x'));
    const y = Number(t.getAttribute('y'));
    sizes.set(t.dataset.key, { dx: box.x - x, dy: box.y - y, width: box.width, height: box.height });
  }
  return sizes;
}

/** Room for a note beside a lifeline: from the lifeline's note column to the edge. */
const NOTE_ROOM = CLIENT_X - 20 - 2;

/** Notes as shortened to their room, by class and text (a run repeats its notes). */
const fittedNotes = new Map();
/** Beyond this many (chat messages are notes too), the remembered notes start over. */
const MAX_FITTED_NOTES = 1000;

/**
 * A `fit(text, className)` that shortens a note with an ellipsis until it fits its
 * room, measured in the note's own font inside `container`; texts that cannot be
 * measured (a hidden ladder) are kept whole and not remembered. The probe stays in
 * the container until the drawing replaces its children: every note is fitted by the
 * first layout, before that, and the later layouts find them remembered.
 */
function noteFitter(container) {
  let probe = null;
  return (text, className) => {
    const key = `${className}|${text}`;
    if (fittedNotes.has(key)) return fittedNotes.get(key);
    if (!probe) {
      probe = document.createElementNS(SVG, 'text');
      const holder = document.createElementNS(SVG, 'svg');
      holder.setAttribute('style', 'position: absolute; visibility: hidden');
      holder.append(probe);
      container.append(holder);
    }
    probe.setAttribute('class', className);
    const chars = Array.from(text);
    let shown = text;
    probe.textContent = shown;
    if (probe.getComputedTextLength() === 0) return text;
    for (let n = chars.length - 1; n > 1 && probe.getComputedTextLength() > NOTE_ROOM; n--) {
      shown = `${chars.slice(0, n).join('')}…`;
      probe.textContent = shown;
    }
    if (fittedNotes.size >= MAX_FITTED_NOTES) fittedNotes.clear();
    fittedNotes.set(key, shown);
    return shown;
  };
}

/** Makes each arrow choosable by click and by Enter or Space. */
function listen(svg, onSelect) {
  for (const g of svg.querySelectorAll('.datagram')) {
    const id = Number(g.dataset.id);
    g.addEventListener('click', () => onSelect(id));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onSelect(id);
      }
    });
  }
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
 * Draws the run into `container`: laid out on the timeline, measured, then laid out
 * again with the texts that would overprint moved apart.
 * @param {HTMLElement} container
 * @param {{datagrams: object[], notes: object[], now: number, selected: number|null}} run
 * @param {(id: number) => void} onSelect called when an arrow is chosen
 */
export function drawLadder(container, run, onSelect) {
  const scrolled = container.scrollTop;
  // The arrow a keyboard user is on, found again in the new drawing: replacing the
  // SVG would otherwise drop focus to the page, and Tab would start from the top.
  const focused = container.contains(document.activeElement) ? document.activeElement.dataset.id : undefined;
  const fit = noteFitter(container);
  const first = toSvg(layout(run, new Map(), fit));
  container.replaceChildren(first);
  const nudges = declutter((moves) => textsOf(layout(run, moves, fit)), measureTexts(first));
  const svg = nudges.size > 0 ? toSvg(layout(run, nudges, fit)) : first;
  listen(svg, onSelect);
  container.replaceChildren(svg);
  container.scrollTop = svg.querySelector('.datagram.selected') ? scrolled : container.scrollHeight;
  if (focused !== undefined) svg.querySelector(`.datagram[data-id="${focused}"]`)?.focus({ preventScroll: true });
}

/**
 * The ladder's picture with its owners moved down by `nudges` (see declutter.js);
 * `fit(text, className)` shortens a note to the room beside its lifeline.
 */
function layout(run, nudges, fit) {
  const times = [0, run.now];
  for (const d of run.datagrams) {
    times.push(d.sentAt);
    if (d.arrivesAt !== null && d.arrivesAt !== undefined) times.push(d.arrivesAt);
    else times.push(d.sentAt + 20);
  }
  for (const n of run.notes) times.push(n.at);
  const stack = stackOffsets(run.datagrams, nudges);
  const scale = timeScale(times, stack.room, nudges);
  const svg = el('svg', {
    viewBox: `0 0 ${WIDTH} ${scale.height}`,
    width: '100%',
    role: 'group',
    'aria-label': 'Datagrams between client and server, in time order',
  });
  const head = el('marker', {
    id: 'head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  });
  head.append(el('path', { d: 'M0,0 L10,5 L0,10 z', fill: 'context-stroke' }));
  const defs = el('defs');
  defs.append(head);
  svg.append(defs);

  for (const [x, name] of [[CLIENT_X, 'Client'], [SERVER_X, 'Server']]) {
    svg.append(el('text', { x, y: 20, class: 'column-title', 'text-anchor': 'middle' }, name));
    svg.append(el('line', { x1: x, y1: 28, x2: x, y2: scale.height - 10, class: 'lifeline' }));
  }
  for (const gap of scale.gaps) {
    svg.append(movable({ x: WIDTH / 2, y: gap.y + 4, class: 'gap', 'text-anchor': 'middle' },
      `⋯ ${gap.ms} ms later ⋯`, gap.owner, gap.owner));
  }
  drawFlights(svg, run.datagrams, scale, stack.offsets);
  // Notes at the same instant on the same side are stacked, not drawn over each other.
  const stacked = new Map();
  run.notes.forEach((n, i) => {
    const key = `${n.side}@${n.at}`;
    const row = stacked.get(key) ?? 0;
    const offset = (stack.landed.get(key) ?? 0) + row * 12 + (nudges.get(`n${i}`) ?? 0);
    if (drawNote(svg, n, `n${i}`, scale, offset, fit)) stacked.set(key, row + 1);
  });
  for (const d of run.datagrams) drawDatagram(svg, d, run, scale, stack.offsets.get(d.id));
  return svg;
}

/**
 * Brackets on the sender's side grouping each flight's first transmission (its
 * datagrams leave at one instant). A stateless server's HelloVerifyRequest, answering
 * each resent ClientHello, is flight 2 each time: one bracket each.
 */
function drawFlights(svg, datagrams, scale, offsets) {
  const flights = new Map();
  for (const d of datagrams) {
    if (!d.flight || d.retransmission) continue;
    const y = scale.y(d.sentAt) + offsets.get(d.id);
    const key = `${d.flight}@${d.sentAt}`;
    const f = flights.get(key) ?? { n: d.flight, from: d.from, top: y, bottom: y, owner: `d${d.id}`, key: `flight${d.id}` };
    f.bottom = Math.max(f.bottom, y);
    flights.set(key, f);
  }
  for (const f of flights.values()) {
    const x = f.from === 'client' ? CLIENT_X - 14 : SERVER_X + 14;
    const y1 = f.top - 6;
    const y2 = f.bottom + 6;
    svg.append(el('line', { x1: x, y1, x2: x, y2, class: 'flight' }));
    const client = f.from === 'client';
    svg.append(movable({
      x: client ? CLIENT_X + 6 : SERVER_X - 6,
      y: y1,
      class: 'flight-label',
      'text-anchor': client ? 'start' : 'end',
    }, `Flight ${f.n}`, f.key, f.owner));
  }
}

/** Draws a note (`key` its owner) beside its side's lifeline, `offset` px down; false if not shown. */
function drawNote(svg, note, key, scale, offset, fit) {
  // Glyphs every system font has (DejaVu, Noto): no emoji.
  const shown = { timer: '◷', retransmit: '↻', connected: '✓', error: '⚠', closed: '✉', data: '✉' };
  if (!(note.kind in shown)) return false;
  const client = note.side === 'client';
  const x = client ? CLIENT_X - 20 : SERVER_X + 20;
  // Beside a lifeline there is room for a few words; the whole note is the tooltip.
  let text = note.text;
  if (note.kind === 'timer') text = text.replace('retransmission timer set: fires in', 'timer');
  if (note.kind === 'retransmit') text = 'resend flight';
  if (note.kind === 'connected') text = 'connected';
  if (note.kind === 'closed') text = 'close_notify';
  if (note.kind === 'data') text = text.replace(/^received /, '');
  // The status code, not the first letters of its long name ("WASM_DTLS_HANDSHAKE_T…").
  if (note.kind === 'error') text = `failed ${note.text.match(/\((0x[0-9A-F]+)\)/i)?.[1] ?? ''}`.trim();
  const className = `note note-${note.kind}`;
  const label = movable({
    x,
    y: scale.y(note.at) + 14 + offset,
    class: className,
    'text-anchor': client ? 'end' : 'start',
  }, fit(`${shown[note.kind]} ${text}`, className), key, key);
  label.append(el('title', {}, note.text));
  svg.append(label);
  return true;
}

/** What the link did to a datagram, as its arrow's accessible name says it. */
const FATE_NAMES = { delivered: 'delivered', dropped: 'lost', duplicated: 'delivered twice', reordered: 'overtaken' };

/** A datagram's label as drawn on its arrow: ↻ for a resend, (×2) or (late) for its fate. */
function drawnLabel(d, label) {
  const prefix = d.retransmission ? '↻ ' : '';
  const fate = d.fate === 'duplicated' ? ' (×2)' : d.fate === 'reordered' ? ' (late)' : '';
  return `${prefix}${label}${fate}`;
}

function drawDatagram(svg, d, run, scale, offset) {
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
    // The name holds the visible text in its order ("lost", then the label as drawn),
    // so what a speech-input user reads off the screen also names the arrow.
    'aria-label': `Datagram ${d.id} from ${d.from}, ${d.size} bytes${d.retransmission ? ', retransmission' : ''}, ${FATE_NAMES[d.fate]}: ${drawnLabel(d, label)}`,
  });
  let midX;
  let midY;
  if (lost) {
    // Half way across, then it falls off the link.
    midX = (fromX + toX) / 2;
    midY = y1 + 12;
    g.append(el('line', { x1: fromX, y1, x2: midX, y2: midY, class: 'arrow' }));
    g.append(el('path', { d: `M${midX},${midY} q 10,10 4,28`, class: 'fall' }));
    g.append(movable({ x: midX + 4, y: midY + 44, class: 'lost-mark', 'text-anchor': 'middle' },
      // The space keeps "lost" a word of its own in the arrow's text ("✕ lost Finished").
      '✕ lost ', `lost${d.id}`, `d${d.id}`));
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
    svg.append(movable({
      x: client ? fromX - 34 : fromX + 34,
      y: y1 - 2,
      class: 'epoch-label',
      'text-anchor': client ? 'end' : 'start',
    }, 'epoch 0 → 1', `epoch${d.id}`, `d${d.id}`));
  }
  g.append(movable({ x: midX, y: midY - 6, class: 'label', 'text-anchor': 'middle' },
    drawnLabel(d, label), `label${d.id}`, `d${d.id}`));
  // A wide invisible line makes the arrow easy to hit.
  g.append(el('line', { x1: fromX, y1, x2: lost ? midX : toX, y2: lost ? midY : scale.y(d.arrivesAt) + offset, class: 'hit' }));
  svg.append(g);
}
