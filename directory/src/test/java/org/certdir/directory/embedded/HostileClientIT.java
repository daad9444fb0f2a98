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
        tls = TlsKeyStore.create(keys.resolve("ldaps.p12"));
        return EmbeddedDirectory.start(new DirectorySettings(instance, DIT, "127.0.0.1", 0, 0, tls.file, TlsKeyStore.PASSWORD, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 1000));
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
}
