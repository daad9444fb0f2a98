package org.certdir.directory.embedded;

import java.util.List;
import org.certdir.schemas.PkiAttributes;

/**
 * The X.501 access control of the embedded directory (ApacheDS's ACI syntax).
 *
 * <p>ApacheDS grants nothing to anyone once access control is on, except to {@code uid=admin,ou=system},
 * which bypasses ACIs: that account is the service's own and the only writer. One prescriptive ACI in a
 * subentry covering the whole suffix lets everyone (anonymous included) find entries and read the public
 * attributes — names, mail addresses, certificates, CRLs — and nothing else. No write grant exists at all,
 * so any other add, modify, rename or delete is refused with {@code insufficientAccessRights}.
 */
final class AccessControl {

    static final String SUBENTRY_CN = "certdir-public-read";

    private AccessControl() {
    }

    static String publicReadAci() {
        String attributes = String.join(", ", PkiAttributes.PUBLIC_ATTRIBUTE_TYPES);
        return "{ identificationTag \"certdirPublicRead\", precedence 10, authenticationLevel none, "
                + "itemOrUserFirst userFirst: { userClasses { allUsers }, userPermissions { "
                + "{ protectedItems { entry }, grantsAndDenials { grantReturnDN, grantBrowse, grantRead } }, "
                + "{ protectedItems { attributeType { " + attributes + " }, allAttributeValues { " + attributes + " } }, "
                + "grantsAndDenials { grantRead, grantCompare, grantFilterMatch } } } } }";
    }

    static List<String> subentryObjectClasses() {
        return List.of("top", "subentry", "accessControlSubentry");
    }
}
