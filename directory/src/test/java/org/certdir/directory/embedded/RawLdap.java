package org.certdir.directory.embedded;

import com.unboundid.asn1.ASN1StreamReader;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.LDAPException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * LDAP requests written byte by byte, for the shapes a well-behaved client library refuses to build (a filter
 * nested 10,000 deep), and responses read with the UnboundID SDK's own decoder.
 */
final class RawLdap {

    private RawLdap() {
    }

    /** One BER element with a definite length (RFC 4511 §5.1 forbids the indefinite form). */
    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] string(int tag, String value) {
        return tlv(tag, value.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code (objectClass=*)} inside {@code depth} nested {@code (|...)}: 4 octets a level past the first few hundred. */
    static byte[] nestedOr(int depth) {
        byte[] filter = string(0x87, "objectClass");
        for (int i = 0; i < depth; i++) {
            filter = tlv(0xA1, filter);
        }
        return filter;
    }

    /** A subtree search request with the given filter, asking for {@code attributes}. */
    static byte[] searchRequest(int messageId, String base, byte[] filter, List<String> attributes) {
        ByteArrayOutputStream attributeList = new ByteArrayOutputStream();
        for (String attribute : attributes) {
            attributeList.writeBytes(string(0x04, attribute));
        }
        byte[] search = tlv(0x63, concat(string(0x04, base),
                new byte[] {0x0A, 0x01, 0x02}, // scope: wholeSubtree
                new byte[] {0x0A, 0x01, 0x00}, // derefAliases: never
                new byte[] {0x02, 0x01, 0x00}, // sizeLimit: none asked
                new byte[] {0x02, 0x01, 0x00}, // timeLimit: none asked
                new byte[] {0x01, 0x01, 0x00}, // typesOnly: false
                filter,
                tlv(0x30, attributeList.toByteArray())));
        return message(messageId, search);
    }

    /** An anonymous simple bind. */
    static byte[] anonymousBind(int messageId) {
        return message(messageId, tlv(0x60, concat(new byte[] {0x02, 0x01, 0x03}, string(0x04, ""), tlv(0x80, new byte[0]))));
    }

    static byte[] message(int messageId, byte[] operation) {
        return tlv(0x30, concat(tlv(0x02, java.math.BigInteger.valueOf(messageId).toByteArray()), operation));
    }

    /** One reader per connection: it buffers, so a second reader on the same stream would miss what the first read ahead. */
    static ASN1StreamReader reader(InputStream in) {
        return new ASN1StreamReader(in);
    }

    static LDAPMessage read(ASN1StreamReader in) throws LDAPException {
        return LDAPMessage.readFrom(in, false);
    }

    /** Reads responses until the one that ends the operation (anything but an entry or a reference). */
    static LDAPMessage readUntilDone(ASN1StreamReader in) throws LDAPException, IOException {
        while (true) {
            LDAPMessage message = read(in);
            if (message == null) {
                throw new IOException("connection closed by the server before the operation ended");
            }
            byte type = message.getProtocolOpType();
            if (type != LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_ENTRY && type != LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_REFERENCE) {
                return message;
            }
        }
    }
}
