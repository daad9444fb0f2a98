package org.certdir.registry;

/** Where a certificate stands; stored in the registry by {@link #dbName()}. */
public enum CertificateStatus {
    VALID("valid"),
    REVOKED("revoked"),
    /** Revoked with reason certificateHold: may be released again. */
    ON_HOLD("on-hold");

    private final String dbName;

    CertificateStatus(String dbName) {
        this.dbName = dbName;
    }

    public String dbName() {
        return dbName;
    }

    static CertificateStatus ofDbName(String name) {
        for (CertificateStatus status : values()) {
            if (status.dbName.equals(name)) {
                return status;
            }
        }
        throw new IllegalStateException("registry holds an unknown certificate status '" + name + "'");
    }
}
