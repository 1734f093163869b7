// The record inspector: a datagram's bytes in hex beside its decoded fields. Hovering
// or focusing a field highlights its bytes; encrypted records show their plaintext too.

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A hex dump: one span per byte, 16 per row, with the offset in front. */
function hexDump(hex, label) {
  const dump = h('div', { class: 'hex', role: 'region', 'aria-label': label, tabindex: 0 });
  const count = hex.length / 2;
  for (let row = 0; row < count; row += 16) {
    const line = h('div', { class: 'hex-row' }, h('span', { class: 'hex-offset' }, row.toString(16).padStart(4, '0')));
    for (let i = row; i < Math.min(row + 16, count); i++) {
      line.append(h('span', { class: 'byte', 'data-i': i }, hex.slice(i * 2, i * 2 + 2)));
    }
    dump.append(line);
  }
  return dump;
}

function highlight(dump, start, end, on) {
  for (const b of dump.querySelectorAll('.byte')) {
    const i = Number(b.dataset.i);
    b.classList.toggle('hl', on && i >= start && i < end);
  }
}

/** The field tree; each field highlights its bytes in `dump`. */
function fieldTree(fields, dump) {
  const list = h('ul', { class: 'fields' });
  for (const f of fields) {
    const size = f.end - f.start;
    const button = h('button', { type: 'button', class: 'field' },
      h('span', { class: 'field-name' }, f.name),
      f.value ? h('span', { class: 'field-value' }, f.value) : null,
      h('span', { class: 'field-range' }, `[${f.start}..${f.end}) ${size} B`));
    const on = () => highlight(dump, f.start, f.end, true);
    const off = () => highlight(dump, f.start, f.end, false);
    button.addEventListener('mouseenter', on);
    button.addEventListener('focus', on);
    button.addEventListener('mouseleave', off);
    button.addEventListener('blur', off);
    const item = h('li', {}, button);
    if (f.children && f.children.length) item.append(fieldTree(f.children, dump));
    list.append(item);
  }
  return list;
}

/** What the link did to a datagram, said in the inspector (delivered says nothing). */
const FATES = {
  dropped: 'Lost on the link: the peer never saw these bytes.',
  duplicated: 'Delivered twice by the link. A repeated handshake message can make the peer resend its own flight; a repeated encrypted record is dropped by its replay window.',
  reordered: 'Overtaken on the link: it arrives after datagrams sent later.',
};

/** When a datagram left and arrived, in the run's virtual time. */
function timing(datagram) {
  const sent = `Sent at ${datagram.sentAt} ms`;
  if (datagram.arrivesAt === null || datagram.arrivesAt === undefined) return `${sent}.`;
  return `${sent}, arrives at ${datagram.arrivesAt} ms (${datagram.arrivesAt - datagram.sentAt} ms on the link).`;
}

/**
 * Shows one inspected datagram in `container`.
 * @param {HTMLElement} container
 * @param {{id: number, from: string, hex: string, records: object[]}} inspection
 * @param {{fate: string, sentAt: number, arrivesAt: number|null}} datagram the ladder's
 *   datagram: what the link did to it (delivered, dropped, duplicated, reordered), when
 */
export function showInspection(container, inspection, datagram) {
  const size = inspection.hex.length / 2;
  const dump = hexDump(inspection.hex, `Bytes of datagram ${inspection.id}`);
  const { fate } = datagram;
  const parts = [
    h('h3', {}, `Datagram ${inspection.id}: ${inspection.from} → ${inspection.from === 'client' ? 'server' : 'client'}, ${size} bytes`),
    h('p', { class: 'timing' }, timing(datagram)),
    FATES[fate] ? h('p', { class: `fate fate-${fate}` }, FATES[fate]) : null,
    dump,
  ].filter((part) => part !== null);
  inspection.records.forEach((r, i) => {
    const section = h('div', { class: 'record' },
      h('h4', {}, `Record ${i + 1}: ${r.title}`),
      h('p', { class: 'explain' }, r.explanation),
      fieldTree(r.fields, dump));
    if (r.plaintext) {
      const plainDump = hexDump(r.plaintext.hex, `Decrypted bytes of record ${i + 1}`);
      section.append(h('h5', {}, 'Decrypted with the session keys'));
      // Only application data is shown as text; handshake plaintext has no `text`.
      if (typeof r.plaintext.text === 'string') {
        section.append(h('p', { class: 'plaintext' }, `Text: “${r.plaintext.text}”`));
      }
      section.append(plainDump, fieldTree(r.plaintext.fields, plainDump));
    }
    parts.push(section);
  });
  container.replaceChildren(...parts);
}
