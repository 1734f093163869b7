// The summary after the handshake: suite, key exchange group, time, datagrams, retransmissions, each side's
// counters, and the derived keys behind a disclosure (secrets are not shown by default).

function row(name, value) {
  const tr = document.createElement('tr');
  const th = Object.assign(document.createElement('th'), { scope: 'row', textContent: name });
  const td = Object.assign(document.createElement('td'), { textContent: String(value) });
  tr.append(th, td);
  return tr;
}

/**
 * Shows the run's figures in `container`.
 * @param {HTMLElement} container
 * @param {object} s the module's summary() object
 */
export function showSummary(container, s) {
  // Redrawn at every step and choice of arrow: keep the keys open if they were.
  const keysOpen = container.querySelector('details')?.open ?? false;
  const table = document.createElement('table');
  table.className = 'summary';
  table.append(
    row('Cipher suite', s.suite ?? 'not negotiated'),
    ...(s.group ? [row('Key exchange group', s.group)] : []),
    row('Handshake', s.resumed ? 'abbreviated: the previous session resumed' : 'full'),
    row('Handshake time (virtual)', s.handshakeMs === undefined || s.handshakeMs === null ? '—' : `${s.handshakeMs} ms`),
    row('Datagrams on the link', s.datagrams),
    row('Lost by the link', s.dropped),
    row('Flights resent', s.retransmissions),
    row('Client sent / received', `${s.client.datagramsSent} / ${s.client.datagramsReceived}`),
    row('Server sent / received', `${s.server.datagramsSent} / ${s.server.datagramsReceived}`),
    row('Records dropped (client / server)', `${s.client.recordsDropped} / ${s.server.recordsDropped}`),
  );
  const parts = [table];
  if (s.keys) {
    const details = Object.assign(document.createElement('details'), { open: keysOpen });
    const summary = Object.assign(document.createElement('summary'), { textContent: 'Show the derived keys (secret!)' });
    const keys = document.createElement('table');
    keys.className = 'keys';
    keys.append(
      row('master_secret', s.keys.masterSecret),
      row('client_write_key', s.keys.clientWriteKey),
      row('server_write_key', s.keys.serverWriteKey),
      row('client_write_IV', s.keys.clientWriteIv),
      row('server_write_IV', s.keys.serverWriteIv),
    );
    details.append(summary, keys);
    parts.push(details);
  }
  container.replaceChildren(...parts);
}
