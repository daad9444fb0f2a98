package org.certdir.directory.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.asn1.ASN1StreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests an attacker sends to the embedded directory, over LDAP and LDAPS: each is refused and the directory goes on serving. */
class HostileClientIT {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final String PASSWORD = "generated-for-test";
    private static final String SUFFIX = DIT.suffix().toString();

    @TempDir
    Path instance;

    @TempDir
    Path keys;

    private TlsKeyStore tls;

    private EmbeddedDirectory start() throws Exception {
        return start(ClientLimits.DEFAULTS);
    }

    private EmbeddedDirectory start(ClientLimits limits) throws Exception {
        tls = TlsKeyStore.create(keys.resolve("ldaps.p12"));
        return EmbeddedDirectory.start(new DirectorySettings(instance, DIT, "127.0.0.1", 0, 0, tls.file, TlsKeyStore.PASSWORD, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 1000, limits));
    }

    /** Adds a person entry for {@code mail} whose certificate attribute holds {@code certificate}; returns its DN. */
    private static String addPerson(LDAPConnection service, String mail, byte[] certificate) throws com.unboundid.ldap.sdk.LDAPException {
        String person = DIT.person(mail).toString();
        service.add(new com.unboundid.ldap.sdk.Entry(person,
                new com.unboundid.ldap.sdk.Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
                new com.unboundid.ldap.sdk.Attribute("cn", mail), new com.unboundid.ldap.sdk.Attribute("sn", mail),
                new com.unboundid.ldap.sdk.Attribute("uid", mail), new com.unboundid.ldap.sdk.Attribute("mail", mail),
                new com.unboundid.ldap.sdk.Attribute("userCertificate;binary", certificate)));
        return person;
    }

    /** Polls {@code condition} for up to 10 s. */
    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private Socket connect(int port, SocketFactory factory) throws Exception {
        Socket socket = factory.createSocket("127.0.0.1", port);
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** Both listeners of the directory, each with the socket factory that reaches it. */
    private List<Listener> listeners(EmbeddedDirectory directory) throws Exception {
        return List.of(new Listener("ldap", directory.ldapPort(), SocketFactory.getDefault()),
                new Listener("ldaps", directory.ldapsPort(), tls.clientSocketFactory()));
    }

    private record Listener(String name, int port, SocketFactory factory) {
    }

    /** A fresh connection binds anonymously and finds the layout: the directory still answers. */
    private static void assertServes(Listener listener) throws Exception {
        try (LDAPConnection connection = listener.factory() instanceof SSLSocketFactory ssl
                ? new LDAPConnection(ssl, "127.0.0.1", listener.port()) : new LDAPConnection("127.0.0.1", listener.port())) {
            connection.getConnectionOptions().setResponseTimeoutMillis(5_000);
            assertEquals(ResultCode.SUCCESS, connection.bind("", "").getResultCode(), listener.name());
            assertNotNull(connection.getEntry(DIT.cas().toString()), listener.name());
        }
    }

    @Test
    void deepFilter_isRefusedWithUnwillingToPerform_andTheDirectoryGoesOnServing() throws Exception {
        try (EmbeddedDirectory directory = start();
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            byte[] deep = RawLdap.searchRequest(7, SUFFIX, RawLdap.nestedOr(10_000), List.of("cn"));
            // More requests than the listeners have I/O threads: each killed one before.
            for (int i = 0; i < 10; i++) {
                for (Listener listener : listeners(directory)) {
                    try (Socket socket = connect(listener.port(), listener.factory())) {
                        OutputStream out = socket.getOutputStream();
                        ASN1StreamReader in = RawLdap.reader(socket.getInputStream());
                        out.write(deep);
                        out.flush();
                        LDAPMessage response = RawLdap.readUntilDone(in);
                        assertEquals(7, response.getMessageID());
                        SearchResultDoneProtocolOp done = response.getSearchResultDoneProtocolOp();
                        assertEquals(ResultCode.UNWILLING_TO_PERFORM.intValue(), done.getResultCode(), listener.name());
                        assertEquals("search filter nested deeper than 100 levels: refused (certdir.ldap.max-filter-depth)",
                                done.getDiagnosticMessage());

                        // The same connection goes on answering.
                        out.write(RawLdap.searchRequest(8, DIT.cas().toString(), RawLdap.nestedOr(3), List.of("ou")));
                        out.flush();
                        LDAPMessage next = RawLdap.readUntilDone(in);
                        assertEquals(8, next.getMessageID());
                        assertEquals(ResultCode.SUCCESS.intValue(), next.getSearchResultDoneProtocolOp().getResultCode());
                    }
                }
            }
            for (Listener listener : listeners(directory)) {
                for (int i = 0; i < 10; i++) {
                    assertServes(listener);
                }
            }
        }
    }

    @Test
    void filterAtTheDepthLimit_isAnswered_oneDeeperIsRefused() throws Exception {
        try (EmbeddedDirectory directory = start();
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD);
             Socket socket = connect(directory.ldapPort(), SocketFactory.getDefault())) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            OutputStream out = socket.getOutputStream();
            // Both requests in one write: the refused one must not disturb the one before or after it.
            out.write(RawLdap.concat(
                    RawLdap.searchRequest(1, DIT.cas().toString(), RawLdap.nestedOr(100), List.of("ou")),
                    RawLdap.searchRequest(2, DIT.cas().toString(), RawLdap.nestedOr(101), List.of("ou")),
                    RawLdap.searchRequest(3, DIT.cas().toString(), RawLdap.nestedOr(99), List.of("ou"))));
            out.flush();
            ASN1StreamReader in = RawLdap.reader(socket.getInputStream());
            int[] expected = {ResultCode.SUCCESS.intValue(), ResultCode.UNWILLING_TO_PERFORM.intValue(), ResultCode.SUCCESS.intValue()};
            int[] results = new int[3];
            for (int i = 0; i < 3; i++) {
                LDAPMessage done = RawLdap.readUntilDone(in);
                results[done.getMessageID() - 1] = done.getSearchResultDoneProtocolOp().getResultCode();
            }
            assertEquals(List.of(expected[0], expected[1], expected[2]), List.of(results[0], results[1], results[2]));
        }
    }

    @Test
    void clientThatDoesNotRead_isDisconnected_pastTheQueueBound_andOthersAreServed() throws Exception {
        long bound = 256 * 1024;
        try (EmbeddedDirectory directory = start(new ClientLimits(100, bound, 64, 256 << 10, Duration.ofMinutes(15)));
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            // One person with a 20 KB certificate value: every search for it answers 20 KB.
            byte[] certificate = new byte[20_000];
            new java.util.Random(1).nextBytes(certificate);
            String person = addPerson(service, "reader@example.com", certificate);

            try (Socket hostile = new Socket()) {
                hostile.setReceiveBufferSize(4096);
                hostile.connect(new java.net.InetSocketAddress("127.0.0.1", directory.ldapPort()));
                byte[] search = RawLdap.searchRequest(1, person, RawLdap.string(0x87, "objectClass"), List.of("userCertificate;binary"));
                OutputStream out = hostile.getOutputStream();
                // 2,000 answers of 20 KB: 40 MB the server would hold for this client.
                long[] mostQueued = {0};
                try {
                    for (int i = 0; i < 2_000; i++) {
                        out.write(search);
                        mostQueued[0] = Math.max(mostQueued[0], directory.queuedResponseBytes());
                    }
                    out.flush();
                } catch (java.net.SocketException dropped) {
                    // The server may drop the client before it has sent all its searches: what the test wants to see.
                }
                await("the server drops the client that does not read", () -> {
                    mostQueued[0] = Math.max(mostQueued[0], directory.queuedResponseBytes());
                    return directory.openConnections() == 1; // the service account's
                });
                // The bound, plus one answer queued before the check, plus what was in flight in the I/O thread.
                org.junit.jupiter.api.Assertions.assertTrue(mostQueued[0] < bound + 200_000, "queued at most " + mostQueued[0]);

                try (LDAPConnection other = new LDAPConnection("127.0.0.1", directory.ldapPort())) {
                    assertNotNull(other.getEntry(person, "userCertificate;binary"));
                }
            }
        }
    }

    @Test
    void anonymousRequestOverTheSizeLimit_endsTheConnectionWithANoticeNamingTheLimit_andOneBelowIsAnswered() throws Exception {
        try (EmbeddedDirectory directory = start()) {
            try (LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
                new DirectoryPublisher(service, DIT).ensureLayout();
            }
            for (Listener listener : listeners(directory)) {
                try (Socket socket = connect(listener.port(), listener.factory())) {
                    OutputStream out = socket.getOutputStream();
                    ASN1StreamReader in = RawLdap.reader(socket.getInputStream());
                    // The bind's answer first: ApacheDS may answer a request sent behind a bind in progress out of order.
                    out.write(RawLdap.anonymousBind(1));
                    out.flush();
                    assertEquals(ResultCode.SUCCESS.intValue(), RawLdap.read(in).getBindResponseProtocolOp().getResultCode());
                    out.write(RawLdap.searchRequest(2, SUFFIX, mailEquals(200 * 1024), List.of("mail")));
                    out.flush();
                    assertEquals(ResultCode.SUCCESS.intValue(), RawLdap.readUntilDone(in).getSearchResultDoneProtocolOp().getResultCode(),
                            listener.name() + ": 200 KiB is below the default 256 KiB");

                    // One byte of it is enough to be refused: the server reads the length and stops there.
                    byte[] large = RawLdap.searchRequest(3, SUFFIX, mailEquals(300 * 1024), List.of("mail"));
                    out.write(large, 0, 16);
                    out.flush();
                    LDAPMessage notice = RawLdap.read(in);
                    assertEquals(0, notice.getMessageID(), "an unsolicited notification");
                    com.unboundid.ldap.protocol.ExtendedResponseProtocolOp op = notice.getExtendedResponseProtocolOp();
                    assertEquals("1.3.6.1.4.1.1466.20036", op.getResponseOID(), "notice of disconnection");
                    assertEquals(ResultCode.ADMIN_LIMIT_EXCEEDED.intValue(), op.getResultCode(), listener.name());
                    assertEquals("LDAP request larger than 262144 bytes from a client not bound as certdir's own account: refused,"
                            + " connection closed (certdir.ldap.max-anonymous-request-size)", op.getDiagnosticMessage());
                    assertEquals(null, RawLdap.read(in), "then the connection is closed");
                }
                assertServes(listener);
            }
        }
    }

    @Test
    void idleAnonymousConnection_isClosedAfterTheIdleTimeout_andTheServiceAccountsIsKept() throws Exception {
        try (EmbeddedDirectory directory = start(new ClientLimits(100, 4 << 20, 64, 256 << 10, Duration.ofSeconds(2)));
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            for (Listener listener : listeners(directory)) {
                try (Socket socket = connect(listener.port(), listener.factory())) {
                    socket.setSoTimeout(15_000);
                    OutputStream out = socket.getOutputStream();
                    ASN1StreamReader in = RawLdap.reader(socket.getInputStream());
                    out.write(RawLdap.anonymousBind(1));
                    out.flush();
                    assertEquals(ResultCode.SUCCESS.intValue(), RawLdap.read(in).getBindResponseProtocolOp().getResultCode());
                    long start = System.nanoTime();
                    assertEquals(null, RawLdap.read(in), listener.name() + ": the server closes the idle connection");
                    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                    org.junit.jupiter.api.Assertions.assertTrue(seconds >= 1, listener.name() + ": closed after " + seconds + " s, not at once");
                }
            }
            // Idle for longer than the timeout too, but bound as certdir's own account: still open.
            assertNotNull(service.getEntry(DIT.cas().toString()), "the service account's connection outlives the idle timeout");
        }
    }

    /** {@code (mail=xxx...)} with a value of {@code bytes} octets. */
    private static byte[] mailEquals(int bytes) {
        return RawLdap.tlv(0xA3, RawLdap.concat(RawLdap.string(0x04, "mail"), RawLdap.string(0x04, "x".repeat(bytes))));
    }

    @Test
    void responseLargerThanTheQueueBound_reachesAClientThatReads() throws Exception {
        // A CA entry with a CRL bigger than the bound, as the CRL publisher reads it back and dirmngr fetches it: one
        // response alone in the queue is not a client that does not read (this disconnected the service's own writes).
        long bound = 256 * 1024;
        try (EmbeddedDirectory directory = start(new ClientLimits(100, bound, 64, 256 << 10, Duration.ofMinutes(15)));
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            byte[] large = new byte[(int) (3 * bound)];
            new java.util.Random(2).nextBytes(large);
            String person = addPerson(service, "large@example.com", large);
            for (int i = 0; i < 5; i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(large,
                        service.getEntry(person, "userCertificate;binary").getAttributeValueBytes("userCertificate;binary"), "read " + i);
            }
        }
    }

    @Test
    void connectionsPastThePerAddressCap_areClosedAtAccept_onLdapAndLdaps() throws Exception {
        try (EmbeddedDirectory directory = start(new ClientLimits(100, 4 << 20, 4, 256 << 10, Duration.ofMinutes(15)))) {
            try (LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
                new DirectoryPublisher(service, DIT).ensureLayout();
            }
            await("the service account's connection is counted out", () -> directory.openConnections() == 0);
            List<LDAPConnection> open = new java.util.ArrayList<>();
            try {
                SSLSocketFactory ssl = tls.clientSocketFactory();
                open.add(new LDAPConnection("127.0.0.1", directory.ldapPort()));
                open.add(new LDAPConnection(ssl, "127.0.0.1", directory.ldapsPort()));
                open.add(new LDAPConnection("127.0.0.1", directory.ldapPort()));
                open.add(new LDAPConnection(ssl, "127.0.0.1", directory.ldapsPort()));
                for (LDAPConnection connection : open) {
                    assertEquals(ResultCode.SUCCESS, connection.bind("", "").getResultCode());
                }
                for (Listener listener : listeners(directory)) {
                    com.unboundid.ldap.sdk.LDAPException refused = org.junit.jupiter.api.Assertions.assertThrows(
                            com.unboundid.ldap.sdk.LDAPException.class, () -> assertServes(listener), listener.name());
                    // Plain LDAP: the connection is closed under the bind; LDAPS: under the TLS handshake.
                    assertEquals(listener.name().equals("ldap") ? ResultCode.SERVER_DOWN : ResultCode.CONNECT_ERROR, refused.getResultCode(),
                            listener.name() + ": " + refused.getMessage());
                }
                // Another address is not affected (Linux routes all of 127/8 to the loopback interface).
                try (LDAPConnection elsewhere = new LDAPConnection(new SocketFactory() {
                    @Override
                    public Socket createSocket() throws java.io.IOException {
                        Socket socket = new Socket();
                        socket.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
                        return socket;
                    }

                    @Override
                    public Socket createSocket(String host, int port) throws java.io.IOException {
                        Socket socket = createSocket();
                        socket.connect(new java.net.InetSocketAddress(host, port));
                        return socket;
                    }

                    @Override
                    public Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
                        return createSocket(host.getHostAddress(), port);
                    }

                    @Override
                    public Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress local, int localPort) {
                        throw new UnsupportedOperationException();
                    }
                }, "127.0.0.1", directory.ldapPort())) {
                    assertEquals(ResultCode.SUCCESS, elsewhere.bind("", "").getResultCode());
                }
                // A closed connection frees its place.
                open.remove(0).close();
                await("the server counts the closed connection out", () -> directory.openConnections() == 3);
                assertServes(listeners(directory).get(0));
            } finally {
                open.forEach(LDAPConnection::close);
            }
        }
    }
}
