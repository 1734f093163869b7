// What a UDP socket has been given to send, and a close that waits for it.

/**
 * Sends through a node:dgram socket and closes it only once every datagram given has
 * left. Node drops sends still queued when a socket closes — and a send to an address
 * is queued behind a lookup of it, even of a numeric one — so a close_notify sent just
 * before `close()` would otherwise never reach the peer.
 */
export class Outbox {
  /** @param {import('node:dgram').Socket} socket */
  constructor(socket) {
    this._socket = socket;
    this._pending = 0;
    this._closing = false;
  }

  /** Sends `datagram`, to `port` and `address` if given (a socket not connected). */
  send(datagram, port, address) {
    if (this._closing) return;
    this._pending += 1;
    const sent = () => {
      this._pending -= 1;
      if (this._closing && this._pending === 0) this._socket.close();
    };
    if (port === undefined) this._socket.send(datagram, sent);
    else this._socket.send(datagram, port, address, sent);
  }

  /** Closes the socket once what was sent has left; sends after this are dropped. */
  close() {
    if (this._closing) return;
    this._closing = true;
    if (this._pending === 0) this._socket.close();
  }
}
