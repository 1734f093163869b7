// One readable line per trace event, as the Rust CLI prints them.
const CONTENT_TYPES = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData' };

const arrow = (direction) => (direction === 'sent' ? '->' : '<-');

/** Describes a WIT trace event in one line. */
export function describe(trace) {
  const v = trace.val;
  switch (trace.tag) {
    case 'record':
      return `${arrow(v.direction)} record ${CONTENT_TYPES[v.contentType] ?? `type ${v.contentType}`} epoch ${v.epoch} seq ${v.sequence} (${v.length} bytes)`;
    case 'message':
      return v.fragmentOffset === 0 && v.fragmentLength === v.length
        ? `${arrow(v.direction)}   ${v.name} (message_seq ${v.messageSeq}, ${v.length} bytes)`
        : `${arrow(v.direction)}   ${v.name} (message_seq ${v.messageSeq}, fragment ${v.fragmentOffset}..${v.fragmentOffset + v.fragmentLength} of ${v.length} bytes)`;
    case 'retransmit':
      return `!! flight retransmitted (send #${v})`;
    case 'dropped':
      return `xx dropped: ${v}`;
    case 'state':
      return `== ${v.from} -> ${v.to}`;
    case 'timer':
      return v === undefined ? '.. timer off' : `.. timer set for t=${v} ms`;
    default:
      return trace.tag;
  }
}
