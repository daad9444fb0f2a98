package org.certdir.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The CRLReason codes of RFC 5280 §5.3.1 (code 7 is unused). */
public enum RevocationReason {
    UNSPECIFIED(0, "unspecified"),
    KEY_COMPROMISE(1, "keyCompromise"),
    CA_COMPROMISE(2, "cACompromise"),
    AFFILIATION_CHANGED(3, "affiliationChanged"),
    SUPERSEDED(4, "superseded"),
    CESSATION_OF_OPERATION(5, "cessationOfOperation"),
    CERTIFICATE_HOLD(6, "certificateHold"),
    REMOVE_FROM_CRL(8, "removeFromCRL"),
    PRIVILEGE_WITHDRAWN(9, "privilegeWithdrawn"),
    AA_COMPROMISE(10, "aACompromise");

    private final int code;
    private final String rfcName;

    RevocationReason(int code, String rfcName) {
        this.code = code;
        this.rfcName = rfcName;
    }

    public int code() {
        return code;
    }

    /** The name RFC 5280 gives, e.g. {@code keyCompromise}. */
    public String rfcName() {
        return rfcName;
    }

    /** Accepts the RFC name in any case, with or without separators ({@code keyCompromise}, {@code key-compromise}). */
    public static RevocationReason parse(String text) {
        String wanted = text == null ? "" : text.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        for (RevocationReason reason : values()) {
            if (reason.rfcName.toLowerCase(Locale.ROOT).equals(wanted)) {
                return reason;
            }
        }
        throw new IllegalArgumentException("revocation reason '" + text + "' is not one of "
                + Arrays.stream(values()).map(RevocationReason::rfcName).collect(Collectors.joining(", ")));
    }

    public static RevocationReason ofCode(int code) {
        for (RevocationReason reason : values()) {
            if (reason.code == code) {
                return reason;
            }
        }
        throw new IllegalArgumentException("CRL reason code " + code + " is not defined by RFC 5280");
    }
}
