package org.certdir.ocsp;

/**
 * A client's bytes that are not an OCSP request we answer; the message names the rule broken and the value.
 * It is the client's mistake, answered {@code malformedRequest} and logged at DEBUG only.
 */
final class MalformedRequest extends Exception {

    MalformedRequest(String reason) {
        super(reason, null, false, false);
    }
}
