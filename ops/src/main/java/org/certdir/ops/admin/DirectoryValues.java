package org.certdir.ops.admin;

import java.util.regex.Pattern;

/**
 * The rules for values that end up in the directory (a person's {@code uid} and {@code mail}, the {@code cn} of a
 * person, a CA or a trusted partner CA), checked before anything is recorded: a value the directory cannot hold
 * (ApacheDS refused a 65 KB {@code uid}) would otherwise be acknowledged and then fail every publication and every
 * rebuild of the directory.
 *
 * <p>Design notes. A mail address is what RFC 5321 §4.1.2 calls a Mailbox with a dot-string local part and a domain
 * of host-name labels, in ASCII: an rfc822Name is an IA5String (RFC 5280 §4.2.1.6) and internationalized addresses
 * go in an SmtpUTF8Mailbox (RFC 8398), which certdir does not read. Quoted local parts and address literals
 * ({@code "a b"@example.com}, {@code a@[192.0.2.1]}) are refused: RFC 5321 §4.1.2 discourages them, mail clients
 * look such recipients up badly, and none of the deployments we serve use them. Lengths are RFC 5321 §4.5.3.1:
 * local part 64 octets, domain 255, the whole path 256 including its angle brackets, so 254 for the address;
 * a label is at most 63 (RFC 1035 §2.3.4). A name is at most 256 characters with no control characters, a bound
 * well above any real name and far below what the directory's indexes hold; a name we write into a certificate
 * (issuance) is at most 64, RFC 5280's ub-common-name.
 */
public final class DirectoryValues {

    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including "<" and ">". */
    static final int MAX_MAIL = 254;
    /** RFC 5321 §4.5.3.1.1. */
    static final int MAX_LOCAL_PART = 64;
    /** RFC 1035 §2.3.4. */
    static final int MAX_LABEL = 63;
    /** The longest name (cn) accepted from a certificate. */
    public static final int MAX_NAME = 256;
    /** RFC 5280 Appendix A, ub-common-name: the longest name certdir writes into a certificate it issues. */
    public static final int MAX_ISSUED_NAME = 64;

    /** RFC 5322 §3.4.1 dot-atom: atext runs separated by single dots. */
    private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    /** Host-name labels (letters, digits, inner '-'), at least two: an address of the organisation's mail domain. */
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");
    /** C0 and C1 controls and the Unicode line and paragraph separators: each breaks a line somewhere. */
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\u2028\\u2029]");

    private DirectoryValues() {
    }

    /**
     * Why {@code mail} cannot be a person's address in the directory, or null when it can; {@code what} names the
     * field in the message ({@code mail}, or the certificate field it came from).
     */
    static String mailProblem(String what, String mail) {
        if (mail == null || mail.isEmpty()) {
            return what + " is missing: give a mail address like alice@example.com";
        }
        if (mail.length() > MAX_MAIL) {
            return what + " " + quote(mail) + " is " + mail.length() + " characters long: RFC 5321 allows at most " + MAX_MAIL;
        }
        int at = mail.lastIndexOf('@');
        if (at < 1) {
            return what + " " + quote(mail) + " is not a mail address like alice@example.com";
        }
        if (at > MAX_LOCAL_PART) {
            return what + " " + quote(mail) + " has a local part of " + at + " characters: RFC 5321 allows at most " + MAX_LOCAL_PART;
        }
        for (String label : mail.substring(at + 1).split("\\.")) {
            if (label.length() > MAX_LABEL) {
                return what + " " + quote(mail) + " has a domain label of " + label.length() + " characters: RFC 1035 allows at most " + MAX_LABEL;
            }
        }
        if (!LOCAL_PART.matcher(mail.substring(0, at)).matches() || !DOMAIN.matcher(mail.substring(at + 1)).matches()) {
            return what + " " + quote(mail) + " is not a mail address like alice@example.com";
        }
        return null;
    }

    /**
     * Why {@code name} cannot be a {@code cn} in the directory, or null when it can: blank, longer than {@code max}
     * characters, or holding a control character (a line break in a name breaks LDIF exports and address books).
     */
    public static String nameProblem(String what, String name, int max) {
        if (name == null || name.isBlank()) {
            return what + " is missing or blank";
        }
        if (name.length() > max) {
            return what + " " + quote(name) + " is " + name.length() + " characters long: at most " + max + " are accepted";
        }
        if (CONTROL.matcher(name).find()) {
            return what + " " + quote(name) + " contains a control character";
        }
        return null;
    }

    /** The value in quotes, cut after 40 characters so that a hostile 65 KB value does not fill the answer. */
    public static String quote(String value) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return "'" + CONTROL.matcher(shown).replaceAll("?") + "'";
    }
}
