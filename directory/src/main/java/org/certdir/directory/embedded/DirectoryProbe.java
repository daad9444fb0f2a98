package org.certdir.directory.embedded;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;

/**
 * Asks a directory what a new mail client would, with a short deadline: connect, then read the suffix entry and the
 * entries right under it. Connecting afresh matters: when ApacheDS lost its I/O threads, open connections looked fine
 * and new ones went unanswered. Reading matters: a damaged partition answers binds but fails reads ({@code other}).
 */
public final class DirectoryProbe {

    private DirectoryProbe() {
    }

    /** Null when the directory answered within {@code timeout}; otherwise what is wrong, in a few words for {@code /health}. */
    public static String problem(String host, int port, String suffix, Duration timeout) {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        int millis = (int) Math.max(1, timeout.toMillis());
        options.setConnectTimeoutMillis(millis);
        options.setResponseTimeoutMillis(millis);
        options.setAutoReconnect(false);
        long started = System.nanoTime();
        try (LDAPConnection connection = new LDAPConnection(options, host, port)) {
            connection.search(new SearchRequest(suffix, SearchScope.BASE, "(objectClass=*)", "1.1"));
            connection.search(new SearchRequest(suffix, SearchScope.ONE, "(objectClass=*)", "1.1"));
            return null;
        } catch (LDAPException e) {
            ResultCode code = e.getResultCode();
            long took = (System.nanoTime() - started) / 1_000_000;
            if (code == ResultCode.TIMEOUT || (code == ResultCode.CONNECT_ERROR && took >= millis)) {
                return "not answering within " + timeout.toMillis() + " ms";
            }
            if (code == ResultCode.CONNECT_ERROR || code == ResultCode.SERVER_DOWN) {
                return "not accepting connections on " + host + ":" + port + " (" + code.getName() + ")";
            }
            return "failing: a read of " + suffix + " answered " + code.getName()
                    + (e.getDiagnosticMessage() == null ? "" : " (" + firstLine(e.getDiagnosticMessage()) + ")");
        }
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
