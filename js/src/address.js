// Socket addresses between Node's strings and the WIT socket-address record.
import { SocketAddress, isIPv6 } from 'node:net';

/** An (address, port) pair as the WIT socket-address record. */
export function witAddress(address, port) {
  if (isIPv6(address)) return { address: { tag: 'ipv6', val: ipv6Groups(address) }, port };
  return { address: { tag: 'ipv4', val: address.split('.').map(Number) }, port };
}

/**
 * The eight 16-bit groups of an IPv6 address, with an IPv4 tail too: a dual-stack
 * socket (bound to '::') gives IPv4 peers as '::ffff:192.0.2.1'. A zone ('%eth0') has
 * no place in the WIT record and is dropped.
 */
function ipv6Groups(address) {
  let text = address.split('%')[0];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  return [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

/** The WIT socket-address record as { address, port }, written as Node writes it. */
export function nodeAddress(wit) {
  const { tag, val } = wit.address;
  if (tag === 'ipv4') return { address: val.join('.'), port: wit.port };
  // Node's own text form (RFC 5952: '::1', '::ffff:127.0.0.1'), so that addresses
  // compare equal to the ones `dgram` reports.
  const full = val.map((g) => g.toString(16)).join(':');
  return { address: new SocketAddress({ address: full, family: 'ipv6' }).address, port: wit.port };
}
