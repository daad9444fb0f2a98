package org.certdir.registry;

/**
 * A search of the registry's certificates; null fields match anything.
 *
 * @param limit  at most this many results (1 to 1000)
 * @param offset skip this many matches first
 */
public record CertificateQuery(String mail, CertificateStatus status, CaName ca, int limit, int offset) {

    public static final int MAX_LIMIT = 1000;

    public CertificateQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
    }

    /** One page of results and how many match in all. */
    public record Page(java.util.List<CertificateRecord> certificates, long total) {
    }
}
