/*
 * A wolfSSL peer for tests/wolfssl_interop.rs: Debian's libwolfssl (5.5), built by the
 * test with cc.
 *
 *   wolfssl_peer client PORT SUITE CREDENTIALS... --message MESSAGE
 *       handshake with 127.0.0.1:PORT, send MESSAGE, print "reply: ..." and close
 *   wolfssl_peer server PORT SUITE CREDENTIALS...
 *       print "listening", answer one client on 127.0.0.1:PORT (wolfSSL exchanges a
 *       cookie first), echo its first record, print "received: ..." and close
 *
 * SUITE is an IANA name; Debian builds wolfSSL without static PSK suites, so only the
 * ECDHE-ECDSA and ECDHE_RSA ones work. CREDENTIALS are --ca FILE (verify the peer
 * against it; a server with one requires a client certificate), --cert FILE --key FILE
 * (P-256 or RSA); --psk is
 * accepted and ignored. With --resume yes, the client connects a second time offering
 * the first connection's session, and the server answers a second client; each
 * prints "resumed: yes" or "resumed: no" for the second connection. The whole run is
 * bounded by LIMIT seconds (SIGALRM).
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LIMIT 20

static void fail(const char *doing, WOLFSSL *ssl, int ret)
{
    char reason[WOLFSSL_MAX_ERROR_SZ] = "";
    if (ssl != NULL)
        wolfSSL_ERR_error_string((unsigned long)wolfSSL_get_error(ssl, ret), reason);
    fprintf(stderr, "wolfssl_peer: %s failed (%d) %s\n", doing, ret, reason);
    exit(1);
}

static void need(int ok, const char *doing)
{
    if (!ok)
        fail(doing, NULL, 0);
}

struct options {
    const char *ca, *cert, *key, *message;
    int resume;
};

static WOLFSSL_CTX *context(int server, const char *suite, const struct options *o)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(server ? wolfDTLSv1_2_server_method()
                                              : wolfDTLSv1_2_client_method());
    need(ctx != NULL, "creating the context");
    need(wolfSSL_CTX_set_cipher_list(ctx, suite) == WOLFSSL_SUCCESS, "choosing the suite");
    if (o->cert != NULL) {
        need(wolfSSL_CTX_use_certificate_chain_file(ctx, o->cert) == WOLFSSL_SUCCESS,
             "loading the certificate");
        need(wolfSSL_CTX_use_PrivateKey_file(ctx, o->key, WOLFSSL_FILETYPE_PEM) ==
                 WOLFSSL_SUCCESS,
             "loading the key");
    }
    if (o->ca != NULL) {
        need(wolfSSL_CTX_load_verify_locations(ctx, o->ca, NULL) == WOLFSSL_SUCCESS,
             "loading the CA");
        wolfSSL_CTX_set_verify(ctx,
                               server ? WOLFSSL_VERIFY_PEER |
                                            WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT
                                      : WOLFSSL_VERIFY_PEER,
                               NULL);
    } else {
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

/* Reads one record into buf (NUL-terminated) and prints it after label; its length. */
static int print_record(WOLFSSL *ssl, char *buf, int size, const char *label)
{
    int ret = wolfSSL_read(ssl, buf, size - 1);
    if (ret <= 0)
        fail("read", ssl, ret);
    buf[ret] = '\0';
    printf("%s: %s\n", label, buf);
    fflush(stdout);
    return ret;
}

/* One client connection offering `saved` (if any); returns its session, for the next. */
static WOLFSSL_SESSION *client_once(WOLFSSL_CTX *ctx, struct sockaddr_in *address,
                                    const struct options *o, WOLFSSL_SESSION *saved)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    need(fd >= 0 && connect(fd, (struct sockaddr *)address, sizeof *address) == 0, "connect");
    WOLFSSL *ssl = wolfSSL_new(ctx);
    need(ssl != NULL, "creating the session");
    wolfSSL_dtls_set_peer(ssl, address, sizeof *address);
    wolfSSL_set_fd(ssl, fd);
    if (o->ca != NULL)
        need(wolfSSL_check_domain_name(ssl, "localhost") == WOLFSSL_SUCCESS, "naming the server");
    if (saved != NULL)
        need(wolfSSL_set_session(ssl, saved) == WOLFSSL_SUCCESS, "offering the session");
    int ret = wolfSSL_connect(ssl);
    if (ret != WOLFSSL_SUCCESS)
        fail("handshake", ssl, ret);
    printf("connected %s\n", wolfSSL_get_cipher_name(ssl));
    if (saved != NULL)
        printf("resumed: %s\n", wolfSSL_session_reused(ssl) ? "yes" : "no");
    fflush(stdout);
    ret = wolfSSL_write(ssl, o->message, (int)strlen(o->message));
    if (ret <= 0)
        fail("write", ssl, ret);
    char buf[4096];
    print_record(ssl, buf, sizeof buf, "reply");
    WOLFSSL_SESSION *session = wolfSSL_get1_session(ssl);
    wolfSSL_shutdown(ssl);
    wolfSSL_free(ssl);
    close(fd);
    return session;
}

static void client(WOLFSSL_CTX *ctx, struct sockaddr_in *address, const struct options *o)
{
    WOLFSSL_SESSION *session = client_once(ctx, address, o, NULL);
    if (o->resume) {
        need(session != NULL, "keeping the session");
        WOLFSSL_SESSION *again = client_once(ctx, address, o, session);
        wolfSSL_SESSION_free(again);
    }
    wolfSSL_SESSION_free(session);
}

/* Answers one client, ignoring datagrams from `previous` (the last client, whose late
 * close_notify may reach the new socket), and returns its address. */
static struct sockaddr_in server_once(WOLFSSL_CTX *ctx, struct sockaddr_in *address,
                                      const struct sockaddr_in *previous)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    need(fd >= 0 && bind(fd, (struct sockaddr *)address, sizeof *address) == 0, "bind");
    printf("listening\n");
    fflush(stdout);
    /* Learn the client's address from its first datagram (left queued), then talk to it
     * alone. */
    struct sockaddr_in peer;
    socklen_t peer_len;
    char first;
    for (;;) {
        peer_len = sizeof peer;
        need(recvfrom(fd, &first, 1, MSG_PEEK, (struct sockaddr *)&peer, &peer_len) >= 0,
             "waiting for a client");
        if (previous == NULL || peer.sin_port != previous->sin_port)
            break;
        need(recv(fd, &first, 1, 0) >= 0, "dropping a datagram of the last client");
    }
    need(connect(fd, (struct sockaddr *)&peer, peer_len) == 0, "connect to the client");
    WOLFSSL *ssl = wolfSSL_new(ctx);
    need(ssl != NULL, "creating the session");
    wolfSSL_dtls_set_peer(ssl, &peer, peer_len);
    wolfSSL_set_fd(ssl, fd);
    int ret = wolfSSL_accept(ssl);
    if (ret != WOLFSSL_SUCCESS)
        fail("handshake", ssl, ret);
    if (previous != NULL) {
        printf("resumed: %s\n", wolfSSL_session_reused(ssl) ? "yes" : "no");
        fflush(stdout);
    }
    char buf[4096];
    ret = print_record(ssl, buf, sizeof buf, "received");
    if (wolfSSL_write(ssl, buf, ret) != ret)
        fail("write", ssl, ret);
    wolfSSL_shutdown(ssl);
    wolfSSL_free(ssl);
    close(fd);
    return peer;
}

static void server(WOLFSSL_CTX *ctx, struct sockaddr_in *address, const struct options *o)
{
    struct sockaddr_in first = server_once(ctx, address, NULL);
    /* A second client, on a fresh socket: the first was connected to the first client. */
    if (o->resume)
        server_once(ctx, address, &first);
}

int main(int argc, char **argv)
{
    alarm(LIMIT);
    if (argc < 4) {
        fprintf(stderr, "usage: wolfssl_peer client|server PORT SUITE [options]\n");
        return 2;
    }
    struct options o = {0};
    for (int i = 4; i + 1 < argc; i += 2) {
        const char *option = argv[i], *value = argv[i + 1];
        if (strcmp(option, "--ca") == 0)
            o.ca = value;
        else if (strcmp(option, "--cert") == 0)
            o.cert = value;
        else if (strcmp(option, "--key") == 0)
            o.key = value;
        else if (strcmp(option, "--message") == 0)
            o.message = value;
        else if (strcmp(option, "--resume") == 0)
            o.resume = strcmp(value, "yes") == 0;
        else if (strcmp(option, "--psk") != 0)
            fail(option, NULL, 0);
    }
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    wolfSSL_Init();
    int is_server = strcmp(argv[1], "server") == 0;
    need(is_server || strcmp(argv[1], "client") == 0, "reading the mode");
    need(is_server || o.message != NULL, "reading --message");
    WOLFSSL_CTX *ctx = context(is_server, argv[3], &o);
    if (is_server)
        server(ctx, &address, &o);
    else
        client(ctx, &address, &o);
    wolfSSL_CTX_free(ctx);
    wolfSSL_Cleanup();
    return 0;
}
