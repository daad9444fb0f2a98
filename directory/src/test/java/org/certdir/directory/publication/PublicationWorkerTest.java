package org.certdir.directory.publication;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
