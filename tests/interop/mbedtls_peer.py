"""An Mbed TLS peer for tests/mbedtls_interop.rs, through the python-mbedtls package
(PyPI, pinned in scripts/test.sh; its wheel carries Mbed TLS 2.28).

  mbedtls_peer.py client PORT SUITE CREDENTIALS... --message MESSAGE
      handshake with 127.0.0.1:PORT, send MESSAGE, print "reply: ..." and close
  mbedtls_peer.py server PORT SUITE CREDENTIALS...
      print "listening", answer one client on 127.0.0.1:PORT (cookie exchange
      included), echo its first record, print "received: ..." and close

SUITE is the IANA name (TLS_PSK_WITH_AES_128_CCM_8, ...). CREDENTIALS are
--psk IDENTITY:HEXKEY, --ca FILE (verify the peer against it), --cert FILE --key FILE.
Socket operations time out after LIMIT seconds.
"""
import argparse
import socket
import time

from mbedtls import pk, tls, x509

LIMIT = 20
# How many cookieless ClientHellos the server answers before it gives up.
HELLOS = 8
HOST = "127.0.0.1"


def configuration(args, server):
    # Mbed TLS names suites as IANA does, with dashes.
    options = {"ciphers": [args.suite.replace("_", "-")], "lowest_supported_version": tls.DTLSVersion.DTLSv1_2,
               "highest_supported_version": tls.DTLSVersion.DTLSv1_2,
               "validate_certificates": args.ca is not None}
    if args.psk:
        identity, key = args.psk.split(":")
        if server:
            options["pre_shared_key_store"] = {identity: bytes.fromhex(key)}
        else:
            options["pre_shared_key"] = (identity, bytes.fromhex(key))
    if args.ca:
        options["trust_store"] = tls.TrustStore.from_pem_file(args.ca)
    if args.cert:
        chain = [x509.CRT.from_file(args.cert)]
        # mbedtls_pk_parse_key reads any key kind: an RSA key loads through ECC too.
        options["certificate_chain"] = (chain, pk.ECC.from_file(args.key))
    return tls.DTLSConfiguration(**options)


def receive(conn):
    """The next record's data. A record Mbed TLS drops (a repeat, say) surfaces as
    WantReadError even on a blocking socket: read on, within LIMIT."""
    deadline = time.monotonic() + LIMIT
    while True:
        try:
            return conn.recv(4096)
        except tls.WantReadError:
            if time.monotonic() > deadline:
                raise


def client(args):
    context = tls.ClientContext(configuration(args, server=False))
    sock = context.wrap_socket(socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
                               server_hostname="localhost" if args.ca else None)
    sock.settimeout(LIMIT)
    sock.connect((HOST, args.port))
    sock.do_handshake()
    print("connected", flush=True)
    sock.send(args.message.encode())
    print("reply:", receive(sock).decode(), flush=True)
    sock.close()


def server(args):
    context = tls.ServerContext(configuration(args, server=True))
    listener = context.wrap_socket(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    # accept() hands this socket to the client and binds a new one to the same port.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, args.port))
    listener.settimeout(LIMIT)
    print("listening", flush=True)
    for _ in range(HELLOS):
        conn, address = listener.accept()
        conn.settimeout(LIMIT)
        conn.setcookieparam(address[0].encode())
        try:
            conn.do_handshake()
            break
        except tls.HelloVerifyRequest:
            # A ClientHello without the cookie (the first, or a repeat of it on a link
            # that repeats datagrams) got one; the client comes back with it.
            conn.close()
    else:
        raise SystemExit(f"no ClientHello with a cookie among the first {HELLOS}")
    data = receive(conn)
    print("received:", data.decode(), flush=True)
    conn.send(data)
    conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["client", "server"])
    parser.add_argument("port", type=int)
    parser.add_argument("suite")
    parser.add_argument("--psk")
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--message")
    args = parser.parse_args()
    client(args) if args.mode == "client" else server(args)


if __name__ == "__main__":
    main()
