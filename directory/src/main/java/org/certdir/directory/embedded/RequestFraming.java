package org.certdir.directory.embedded;

import java.nio.ByteBuffer;

/**
 * Follows the BER framing of the LDAP messages one client sends (RFC 4511 §5.1) as the bytes arrive, without
 * decoding them: where each message ends, its message ID and operation, how deep its search filter nests, and how
 * many elements it holds. One instance per connection; not thread-safe (MINA decodes a session's input on one thread
 * at a time).
 *
 * <p>Why: ApacheDS's decoder (LDAP API 2.1.5, {@code InitSearchRequestAttributeDescList.transform}) turns a decoded
 * filter into its model by recursing once per {@code (&}, {@code (|} or {@code (!} level, on the I/O thread. A 40 KB
 * request nesting 10,000 levels throws StackOverflowError there, MINA rethrows errors, and the I/O thread dies with
 * every connection it served. The decoder builds its own element tree iteratively, so refusing a message before its
 * last byte reaches the decoder is enough; this class finds the point. It also bounds the elements per message, since
 * the decoder allocates objects per element (a 16 MiB request of two-byte elements would cost gigabytes of heap).
 *
 * <p>It reads tags and lengths exactly as ApacheDS's {@code Asn1Decoder} does (one-byte tags, definite lengths of at
 * most four octets), so both split the stream at the same places; a form it does not accept (the indefinite length,
 * a child longer than its parent) is {@link Problem#MALFORMED}, and such a client is disconnected.
 */
final class RequestFraming {

    /** What is wrong with the current message, once {@link #scan} stopped early. */
    enum Problem {
        /** A search filter nests {@code (&}, {@code (|} or {@code (!} deeper than allowed. */
        FILTER_TOO_DEEP,
        /** More elements in one message than allowed. */
        TOO_MANY_ELEMENTS,
        /** A message longer than {@link #limitMessageBytes} allows. */
        TOO_LARGE,
        /** Not BER this class can follow, or nested deeper than any valid LDAP message. */
        MALFORMED
    }

    private static final int SEARCH_REQUEST = 0x63;
    /** The filter is the seventh field of a SearchRequest (RFC 4511 §4.5.1). */
    private static final int FILTER_FIELD = 6;
    private static final int AND = 0xA0;
    private static final int NOT = 0xA2;
    /** Levels a valid message adds around its filter branches: the message, the operation, a comparison's two. */
    private static final int LEVELS_AROUND_FILTER = 4;

    private enum State { TAG, LENGTH, LENGTH_OCTETS, CONTENT, SKIP_MESSAGE }

    private final int maxFilterDepth;
    private final int maxElements;
    private long maxMessageBytes = Long.MAX_VALUE;
    /** End offset (in {@link #offset} units) of each open constructed element; [0] is the message. */
    private final long[] ends;
    /** Whether each open constructed element is a filter branch (and, or, not). */
    private final boolean[] branch;

    private State state = State.TAG;
    /** Bytes consumed since the connection opened. */
    private long offset;
    private int depth;
    private int filterDepth;
    private int elements;
    private int tag;
    private int lengthOctets;
    private long length;
    private long contentEnd;
    private int messageChildren;
    private int operationChildren;
    private int operation = -1;
    private int messageId;
    private boolean readingMessageId;
    private Problem problem;
    private Problem refusedProblem;
    private int refusedMessageId;
    private boolean refusedSearch;

    RequestFraming(int maxFilterDepth, int maxElements) {
        if (maxFilterDepth < 1) {
            throw new IllegalArgumentException("maximum filter depth must be at least 1, was " + maxFilterDepth);
        }
        if (maxElements < 16) {
            throw new IllegalArgumentException("maximum elements per message must be at least 16, was " + maxElements);
        }
        this.maxFilterDepth = maxFilterDepth;
        this.maxElements = maxElements;
        // A modify request nests six levels without any filter: never allow less.
        this.ends = new long[Math.max(maxFilterDepth, 4) + LEVELS_AROUND_FILTER + 1];
        this.branch = new boolean[ends.length];
    }

    /**
     * Follows {@code buffer[from, to)} and returns the index up to which the bytes may go to the decoder: {@code to},
     * unless the current message has a {@link #problem()}. Then the returned index lies inside that message, before its
     * last byte, and the rest of the message is to be dropped with {@link #skip} before scanning on.
     */
    int scan(ByteBuffer buffer, int from, int to) {
        if (problem != null) {
            throw new IllegalStateException("the message with problem " + problem + " must be skipped first");
        }
        int i = from;
        while (i < to) {
            switch (state) {
                case TAG -> {
                    tag = buffer.get(i++) & 0xFF;
                    offset++;
                    if (depth == 0 && (tag & 0x20) == 0) {
                        return fail(Problem.MALFORMED, i);
                    }
                    state = State.LENGTH;
                }
                case LENGTH -> {
                    int octet = buffer.get(i++) & 0xFF;
                    offset++;
                    if (octet < 0x80) {
                        length = octet;
                        int stop = header(i);
                        if (stop >= 0) {
                            return stop;
                        }
                    } else if (octet == 0x80 || octet > 0x84) {
                        // 0x80: the indefinite form, which LDAP forbids; more than four octets: Asn1Decoder refuses it.
                        return fail(Problem.MALFORMED, i);
                    } else {
                        lengthOctets = octet & 0x7F;
                        length = 0;
                        state = State.LENGTH_OCTETS;
                    }
                }
                case LENGTH_OCTETS -> {
                    length = (length << 8) | (buffer.get(i++) & 0xFF);
                    offset++;
                    if (--lengthOctets == 0) {
                        int stop = header(i);
                        if (stop >= 0) {
                            return stop;
                        }
                    }
                }
                case CONTENT -> {
                    int n = (int) Math.min(contentEnd - offset, to - i);
                    if (readingMessageId) {
                        for (int k = 0; k < n; k++) {
                            messageId = (messageId << 8) | (buffer.get(i + k) & 0xFF);
                        }
                    }
                    i += n;
                    offset += n;
                    if (offset == contentEnd) {
                        readingMessageId = false;
                        closeEnded();
                    }
                }
                case SKIP_MESSAGE -> throw new IllegalStateException("skip the message first");
            }
        }
        return to;
    }

    /** After the length octets: checks the element, opens it or reads past its content. Returns a stop index or -1. */
    private int header(int index) {
        long end = offset + length;
        if (depth == 0 && length > maxMessageBytes) {
            return fail(Problem.TOO_LARGE, index);
        }
        if (depth > 0 && end > ends[depth - 1]) {
            return fail(Problem.MALFORMED, index);
        }
        if (++elements > maxElements) {
            return fail(Problem.TOO_MANY_ELEMENTS, index);
        }
        if (depth == 1) {
            // Children of the message: the ID, the operation, then the controls.
            if (messageChildren == 0 && tag == 0x02 && length <= 4) {
                readingMessageId = true;
                messageId = 0;
            } else if (messageChildren == 1) {
                operation = tag;
            }
            messageChildren++;
        }
        boolean isBranch = false;
        if (depth >= 2 && tag >= AND && tag <= NOT) {
            boolean filterField = depth == 2 && operation == SEARCH_REQUEST && operationChildren == FILTER_FIELD;
            isBranch = filterField || branch[depth - 1];
        }
        if (depth == 2) {
            operationChildren++;
        }
        if ((tag & 0x20) != 0) {
            if (isBranch && filterDepth == maxFilterDepth) {
                return fail(Problem.FILTER_TOO_DEEP, index);
            }
            if (depth == ends.length) {
                return fail(Problem.MALFORMED, index);
            }
            ends[depth] = end;
            branch[depth] = isBranch;
            depth++;
            if (isBranch) {
                filterDepth++;
            }
            state = State.TAG;
            closeEnded();
        } else {
            contentEnd = end;
            state = State.CONTENT;
            if (length == 0) {
                readingMessageId = false;
                closeEnded();
            }
        }
        return -1;
    }

    /** Closes every open element that ends here; after the message itself, gets ready for the next one. */
    private void closeEnded() {
        state = State.TAG;
        while (depth > 0 && offset == ends[depth - 1]) {
            depth--;
            if (branch[depth]) {
                filterDepth--;
            }
        }
        if (depth == 0) {
            elements = 0;
            messageChildren = 0;
            operationChildren = 0;
            filterDepth = 0;
            operation = -1;
        }
    }

    private int fail(Problem found, int index) {
        problem = found;
        refusedProblem = found;
        refusedMessageId = messageId;
        refusedSearch = operation == SEARCH_REQUEST;
        state = State.SKIP_MESSAGE;
        return index;
    }

    /** Messages that start from now on may be at most {@code bytes} long (their content, as the header gives it). */
    void limitMessageBytes(long bytes) {
        maxMessageBytes = bytes;
    }

    long maxMessageBytes() {
        return maxMessageBytes;
    }

    /** The problem of the current message, or null. */
    Problem problem() {
        return problem;
    }

    /** Bytes of the current message not yet scanned, once it has a problem; unknown (-1) when it is malformed. */
    long remaining() {
        return problem == Problem.MALFORMED || depth == 0 ? -1 : ends[0] - offset;
    }

    /**
     * Drops up to {@code available} bytes of a message with a problem and returns how many it dropped; once the message
     * is past, {@link #problem()} is null again and scanning goes on with the next message.
     */
    int skip(int available) {
        if (problem == null || problem == Problem.MALFORMED) {
            throw new IllegalStateException("nothing to skip, problem " + problem);
        }
        int n = (int) Math.min(ends[0] - offset, available);
        offset += n;
        if (offset == ends[0]) {
            depth = 0;
            readingMessageId = false;
            problem = null;
            closeEnded();
        }
        return n;
    }

    /** The problem of the last message that had one; it stays known after the message was skipped. */
    Problem refusedProblem() {
        return refusedProblem;
    }

    /** The ID of the last message that had a problem. */
    int refusedMessageId() {
        return refusedMessageId;
    }

    /** Whether the last message that had a problem was a search request. */
    boolean refusedSearch() {
        return refusedSearch;
    }

    int maxFilterDepth() {
        return maxFilterDepth;
    }

    int maxElements() {
        return maxElements;
    }
}
