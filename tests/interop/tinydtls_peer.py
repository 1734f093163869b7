"""A tinydtls peer for tests/tinydtls_interop.rs, through the DTLSSocket package's
binding of tinydtls (PyPI DTLSSocket, pinned in scripts/test.sh). PSK only: tinydtls
has TLS_PSK_WITH_AES_128_CCM_8, and raw public keys rather than X.509 for ECDSA.

  tinydtls_peer.py client PORT IDENTITY HEXKEY MESSAGE  -- handshake with [::1]:PORT,
      send MESSAGE, print "reply: ..." and close; exit 1 if nothing came back
  tinydtls_peer.py server PORT IDENTITY HEXKEY          -- echo every record on
      [::1]:PORT until the first peer closes

Every loop is bounded (LIMIT seconds).
"""
import socket
import sys
import time

from DTLSSocket import dtls

LIMIT = 20
CONNECTED = 0x1DE  # tinydtls's DTLS_EVENT_CONNECTED
HOST = "::1"


def main(mode, port, identity, key, message=None):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.settimeout(0.1)
    received = []
    events = []

    def write(addr, data):
        return sock.sendto(data, (addr[0], addr[1]))

    def read(addr, data):
        received.append((addr, bytes(data)))
        return len(data)

    def event(level, code):
        events.append(code)

    peer = dtls.DTLS(read=read, write=write, event=event, pskId=identity,
                     pskStore={identity: key})
    dtls.setLogLevel(dtls.DTLS_LOG_EMERG)
    if mode == "server":
        sock.bind((HOST, port))
        print("listening", flush=True)
    else:
        session = peer.connect(HOST, port, 0, 0)
    sent = False
    end = time.time() + LIMIT
    while time.time() < end:
        if mode == "client" and CONNECTED in events and not sent:
            print("connected", flush=True)
            peer.write(session, message)
            sent = True
        while received:
            addr, data = received.pop(0)
            if mode == "client":
                print("reply:", data.decode(), flush=True)
                peer.close(session)
                return 0
            print("received:", data.decode(), flush=True)
            peer.write(dtls.Session(addr[0], addr[1], 0, 0), data)
        if mode == "server" and CONNECTED in events and 0 in events[events.index(CONNECTED):]:
            print("closed", flush=True)
            return 0
        try:
            data, src = sock.recvfrom(65536)
        except socket.timeout:
            continue
        peer.handleMessageAddr(src[0], src[1], data)
    print("gave up; events", [hex(e) for e in events], flush=True)
    return 1


if __name__ == "__main__":
    args = sys.argv[1:]
    message = args[4].encode() if len(args) > 4 else None
    sys.exit(main(args[0], int(args[1]), args[2].encode(), bytes.fromhex(args[3]), message))
