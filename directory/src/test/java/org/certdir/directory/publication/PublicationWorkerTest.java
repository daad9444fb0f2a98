package org.certdir.directory.publication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PublicationWorkerTest {

    @Test
    void backoff_doublesFromOneSecond_upToFiveMinutes() {
        assertEquals(Duration.ofSeconds(1), PublicationWorker.backoff(0));
        assertEquals(Duration.ofSeconds(2), PublicationWorker.backoff(1));
        assertEquals(Duration.ofSeconds(256), PublicationWorker.backoff(8));
        assertEquals(Duration.ofMinutes(5), PublicationWorker.backoff(9));
        assertEquals(Duration.ofMinutes(5), PublicationWorker.backoff(1000));
    }

    private static PublicationException failure(ResultCode code) {
        return new PublicationException("cannot publish x@example.com", new LDAPException(code, "test"));
    }

    @Test
    void refusesRecord_forWhatTheServerSaysAboutTheEntry_notForOutages() {
        for (ResultCode outage : new ResultCode[] {ResultCode.SERVER_DOWN, ResultCode.CONNECT_ERROR, ResultCode.TIMEOUT, ResultCode.BUSY,
                ResultCode.UNAVAILABLE, ResultCode.OTHER, ResultCode.OPERATIONS_ERROR, ResultCode.UNWILLING_TO_PERFORM}) {
            assertFalse(failure(outage).refusesRecord(), outage + " may pass: retried");
        }
        for (ResultCode refusal : new ResultCode[] {ResultCode.CONSTRAINT_VIOLATION, ResultCode.INVALID_ATTRIBUTE_SYNTAX,
                ResultCode.NAMING_VIOLATION, ResultCode.OBJECT_CLASS_VIOLATION, ResultCode.INVALID_DN_SYNTAX, ResultCode.SIZE_LIMIT_EXCEEDED}) {
            assertTrue(failure(refusal).refusesRecord(), refusal + " is about the record: skipped");
        }
    }
}
