package org.certdir.directory.publication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import org.junit.jupiter.api.Test;

/** Diagnostic messages as ApacheDS AM27 sent them (copied from its answers), and as other servers write them. */
class PublicationExceptionTest {

    private static final String MODIFY = """
            Message ID : 2
                Modify Request
                    Object : 'uid=bob@example.com,ou=people,dc=example,dc=com'
                    Modifications :\s
                        Modification[0]
                            Operation :  replace
                            Modification : userSMIMECertificate: (null)
                        Modification[1]
                            Operation :  delete
                            Modification : userCertificate: (null)
            """;

    @Test
    void reason_ofAnOtherWithItsStackTrace_isTheInnermostCause() {
        String diagnostic = "OTHER: failed for MessageType : MODIFY_REQUEST\n" + MODIFY + ": No space left on device:\n"
                + "org.apache.directory.api.ldap.model.exception.LdapOtherException: No space left on device\n"
                + "\tat org.apache.directory.server.core.DefaultOperationManager.modify(DefaultOperationManager.java:1246)\n"
                + "Caused by: java.io.IOException: No space left on device\n"
                + "\tat java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)\n"
                + "\t... 25 more\n";
        assertEquals("java.io.IOException: No space left on device", PublicationException.reason(diagnostic));
        assertEquals("cannot publish the certificates of bob@example.com: 80 (other) (java.io.IOException: No space left on device)",
                new PublicationException("cannot publish the certificates of bob@example.com", new LDAPException(new com.unboundid.ldap.sdk.LDAPResult(1, ResultCode.OTHER, diagnostic, null, (String[]) null, (com.unboundid.ldap.sdk.Control[]) null)))
                        .getMessage());
    }

    @Test
    void reason_afterTheRepeatedRequest_isWhatFollowsIt() {
        assertEquals("the directory is unavailable: its partition threw java.io.IOException: No space left on device; it is being rebuilt",
                PublicationException.reason("UNAVAILABLE: failed for MessageType : MODIFY_REQUEST\n" + MODIFY
                        + ": the directory is unavailable: its partition threw java.io.IOException: No space left on device; it is being rebuilt"));
        assertEquals("-344819316", PublicationException.reason("""
                OTHER: failed for MessageType : SEARCH_REQUEST
                Message ID : 1
                    SearchRequest
                        baseDn : 'dc=example,dc=com'
                        filter : '(|(mail=bulk249@example.com:[1])(objectClass=referral:[0]))'
                        scope : whole subtree
                        attributes : 'userCertificate;binary'
                org.apache.directory.api.ldap.model.message.SearchRequestImpl@780b1de1: -344819316"""));
    }

    @Test
    void reason_ofAnotherServer_isItsMessageOnOneLine() {
        assertEquals("no global superior knowledge", PublicationException.reason("no global superior knowledge"));
        assertEquals("value #0 invalid per syntax", PublicationException.reason("value #0 invalid\n  per syntax"));
    }
}
