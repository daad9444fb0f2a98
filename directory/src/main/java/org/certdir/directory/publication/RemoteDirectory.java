package org.certdir.directory.publication;

import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.TrustManager;

/**
 * A directory server certdir does not run (OpenLDAP, 389-DS, Active Directory) that receives our CRLs.
 * The connection is opened when first used, not at start-up, so a server that is down when the service starts
 * only makes its distribution point fail (and be retried) instead of stopping the service.
 */
public final class RemoteDirectory {

    private RemoteDirectory() {
    }

    /**
     * A pool of one connection to {@code url} ({@code ldap://} or {@code ldaps://}), bound as {@code bindDn}.
     * For {@code ldaps://} the server certificate must chain to a certificate in {@code trustFile} (PEM), or to the
     * JVM's trust store when that is null; the host name is checked against the certificate.
     */
    public static LDAPConnectionPool connect(LDAPURL url, String bindDn, String password, Path trustFile, LDAPConnectionOptions options)
            throws LDAPException, GeneralSecurityException {
        SingleServerSet server;
        if (url.getScheme().equals("ldaps")) {
            TrustManager trust = trustFile == null ? JVMDefaultTrustManager.getInstance() : new PEMFileTrustManager(trustFile.toFile());
            options = options.duplicate();
            options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(false));
            server = new SingleServerSet(url.getHost(), url.getPort(), new SSLUtil(trust).createSSLSocketFactory(), options);
        } else {
            server = new SingleServerSet(url.getHost(), url.getPort(), options);
        }
        LDAPConnectionPool pool = new LDAPConnectionPool(server, new SimpleBindRequest(bindDn, password), 0, 1, null, false);
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        pool.setConnectionPoolName("crl point " + url.getHost() + ":" + url.getPort());
        return pool;
    }
}
