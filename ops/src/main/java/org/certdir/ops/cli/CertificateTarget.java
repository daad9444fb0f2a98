package org.certdir.ops.cli;

import picocli.CommandLine.Option;

/** {@code --ca NAME --serial HEX}: which certificate a command acts on. */
final class CertificateTarget {

    @Option(names = "--ca", required = true, paramLabel = "NAME", description = "The issuing CA's short name ('certdir ca list' shows them).")
    String ca;

    @Option(names = "--serial", required = true, paramLabel = "HEX", description = "The certificate's serial number in hex (colons allowed).")
    String serial;

    String path(String action) {
        return "/admin/certificates/" + AdminClient.segment(ca) + "/" + AdminClient.segment(serial) + (action == null ? "" : "/" + action);
    }
}
