// A pion/dtls peer for tests/pion_interop.rs: pion/dtls v2 (Go), from Debian's
// golang-github-pion-dtls.v2-dev, built by the test in GOPATH mode (no network).
//
//	pion_peer client PORT SUITE CREDENTIALS... --message MESSAGE
//	    handshake with 127.0.0.1:PORT, send MESSAGE, print "reply: ..." and close
//	pion_peer server PORT SUITE CREDENTIALS...
//	    answer one client on 127.0.0.1:PORT (pion always exchanges a cookie), echo its
//	    first record, print "received: ..." and close
//
// SUITE is an IANA name (TLS_PSK_WITH_AES_128_CCM_8, ...). CREDENTIALS are
// --psk IDENTITY:HEXKEY, --ca FILE (verify the peer against it; a server with one
// requires a client certificate), --cert FILE --key FILE, and --mtu BYTES. The extended
// master secret is required. With --resume yes, sessions are kept in memory (pion's
// SessionStore): the client connects a second time offering the first connection's
// session, the server answers a second client, and each prints "resumed: yes" or
// "resumed: no" for the second connection. Every wait is bounded by LIMIT.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/dtls/v2"
)

// LIMIT bounds the handshake and every read.
const LIMIT = 20 * time.Second

var suites = map[string]dtls.CipherSuiteID{
	"TLS_PSK_WITH_AES_128_CCM_8":              dtls.TLS_PSK_WITH_AES_128_CCM_8,
	"TLS_PSK_WITH_AES_128_GCM_SHA256":         dtls.TLS_PSK_WITH_AES_128_GCM_SHA256,
	"TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8":      dtls.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": dtls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256":   dtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": dtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384":   dtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
}

type options struct {
	psk, ca, cert, key, message string
	mtu                         int
	resume                      bool
}

// memoryStore is a SessionStore in memory that counts the sessions it was asked for
// and had.
type memoryStore struct {
	mu       sync.Mutex
	sessions map[string]dtls.Session
	hits     int
}

func (m *memoryStore) Set(key []byte, s dtls.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[string(key)] = s
	return nil
}

func (m *memoryStore) Get(key []byte) (dtls.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[string(key)]
	if ok {
		m.hits++
	}
	return s, nil
}

func (m *memoryStore) Del(key []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, string(key))
	return nil
}

// only is the one session the store holds (a client's, after its first connection).
func (m *memoryStore) only() dtls.Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.sessions {
		return s
	}
	return dtls.Session{}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "pion_peer: "+format+"\n", args...)
	os.Exit(1)
}

func check(err error, doing string) {
	if err != nil {
		fail("%s: %v", doing, err)
	}
}

// configuration is pion's Config for the suite named suiteName and the credentials
// it uses (pion refuses a PSK with certificate suites only, and a certificate with PSK
// suites only).
func configuration(suiteName string, o options, server bool) *dtls.Config {
	psk := strings.HasPrefix(suiteName, "TLS_PSK_")
	config := &dtls.Config{
		CipherSuites:         []dtls.CipherSuiteID{suites[suiteName]},
		ExtendedMasterSecret: dtls.RequireExtendedMasterSecret,
		MTU:                  o.mtu,
		ConnectContextMaker: func() (context.Context, func()) {
			return context.WithTimeout(context.Background(), LIMIT)
		},
	}
	if psk && o.psk != "" {
		identity, hexKey, found := strings.Cut(o.psk, ":")
		key, err := hex.DecodeString(hexKey)
		if !found || err != nil {
			fail("--psk wants IDENTITY:HEXKEY, not %q", o.psk)
		}
		config.PSK = func([]byte) ([]byte, error) { return key, nil }
		if !server {
			// A pion client sends its hint field as its identity.
			config.PSKIdentityHint = []byte(identity)
		}
	}
	if !psk && o.cert != "" {
		pair, err := tls.LoadX509KeyPair(o.cert, o.key)
		check(err, "loading the certificate")
		config.Certificates = []tls.Certificate{pair}
	}
	if !psk && o.ca != "" {
		pem, err := os.ReadFile(o.ca)
		check(err, "reading the CA")
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("no certificate in %s", o.ca)
		}
		if server {
			config.ClientCAs = pool
			config.ClientAuth = dtls.RequireAndVerifyClientCert
		} else {
			config.RootCAs = pool
			config.ServerName = "localhost"
		}
	}
	return config
}

func client(address *net.UDPAddr, config *dtls.Config, message string, resume bool) {
	store := &memoryStore{sessions: map[string]dtls.Session{}}
	if resume {
		config.SessionStore = store
	}
	clientOnce(address, config, message)
	if resume {
		offered := store.only()
		if offered.ID == nil {
			fail("the server gave the session no ID")
		}
		conn := clientOnce(address, config, message)
		fmt.Printf("resumed: %s\n", yesNo(bytes.Equal(conn.ConnectionState().SessionID, offered.ID)))
	}
}

// clientOnce connects, sends message, prints the reply and closes; the closed
// connection, for its state.
func clientOnce(address *net.UDPAddr, config *dtls.Config, message string) *dtls.Conn {
	conn, err := dtls.Dial("udp", address, config)
	check(err, "handshake")
	fmt.Println("connected")
	_, err = conn.Write([]byte(message))
	check(err, "write")
	check(conn.SetReadDeadline(time.Now().Add(LIMIT)), "deadline")
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	check(err, "read")
	fmt.Printf("reply: %s\n", buf[:n])
	check(conn.Close(), "close")
	return conn
}

func server(address *net.UDPAddr, config *dtls.Config, resume bool) {
	store := &memoryStore{sessions: map[string]dtls.Session{}}
	clients := 1
	if resume {
		config.SessionStore = store
		clients = 2
	}
	listener, err := dtls.Listen("udp", address, config)
	check(err, "listen")
	fmt.Println("listening")
	for i := 0; i < clients; i++ {
		// Accept blocks without a deadline of its own: give up after LIMIT.
		timer := time.AfterFunc(LIMIT, func() { fail("no client within %v", LIMIT) })
		conn, err := listener.Accept()
		check(err, "accept")
		timer.Stop()
		if i == 1 {
			fmt.Printf("resumed: %s\n", yesNo(store.hits > 0))
		}
		check(conn.SetReadDeadline(time.Now().Add(LIMIT)), "deadline")
		buf := make([]byte, 4096)
		n, err := conn.Read(buf)
		check(err, "read")
		fmt.Printf("received: %s\n", buf[:n])
		_, err = conn.Write(buf[:n])
		check(err, "write")
		check(conn.Close(), "close")
	}
	check(listener.Close(), "close the listener")
}

func main() {
	if len(os.Args) < 4 {
		fail("usage: pion_peer client|server PORT SUITE [options]")
	}
	mode, portText, suiteName := os.Args[1], os.Args[2], os.Args[3]
	_, known := suites[suiteName]
	port, err := strconv.Atoi(portText)
	if !known || err != nil {
		fail("unknown suite %q or bad port %q", suiteName, portText)
	}
	var o options
	flags := flag.NewFlagSet("pion_peer", flag.ExitOnError)
	flags.StringVar(&o.psk, "psk", "", "IDENTITY:HEXKEY")
	flags.StringVar(&o.ca, "ca", "", "verify the peer against this CA")
	flags.StringVar(&o.cert, "cert", "", "certificate chain (PEM)")
	flags.StringVar(&o.key, "key", "", "its private key (PEM)")
	flags.StringVar(&o.message, "message", "", "what the client sends")
	flags.IntVar(&o.mtu, "mtu", 0, "largest datagram (pion's default when 0)")
	resume := flags.String("resume", "no", "yes: a second connection resuming the first")
	check(flags.Parse(os.Args[4:]), "options")
	o.resume = *resume == "yes"
	address := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	switch mode {
	case "client":
		client(address, configuration(suiteName, o, false), o.message, o.resume)
	case "server":
		server(address, configuration(suiteName, o, true), o.resume)
	default:
		fail("mode is client or server, not %q", mode)
	}
}
