package org.certdir.registry;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** A CA's short name as it appears in URLs ({@code /crl/{ca}.crl}) and commands: lower-case {@code [a-z0-9-]}. */
public record CaName(String value) {

    private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");

    public CaName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("CA name '" + value + "' must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'");
        }
    }

    /** Derives the short name from a CA's common name: "Demo Issuing CA" becomes {@code demo-issuing-ca}. */
    public static CaName fromCommonName(String commonName) {
        String ascii = Normalizer.normalize(commonName == null ? "" : commonName, Normalizer.Form.NFKD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-+|-+$)", "");
        if (ascii.length() > 64) {
            ascii = ascii.substring(0, 64).replaceAll("-+$", "");
        }
        if (ascii.isEmpty()) {
            throw new IllegalArgumentException("cannot derive a CA name from common name '" + commonName + "': give one explicitly");
        }
        return new CaName(ascii);
    }

    @Override
    public String toString() {
        return value;
    }
}
