package org.certdir.directory.embedded;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.directory.api.ldap.model.entry.Attribute;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.entry.Modification;
import org.apache.directory.api.ldap.model.entry.ModificationOperation;
import org.apache.directory.api.ldap.model.entry.Value;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.schema.AttributeType;
import org.apache.directory.server.core.api.interceptor.BaseInterceptor;
import org.apache.directory.server.core.api.interceptor.context.AddOperationContext;
import org.apache.directory.server.core.api.interceptor.context.ModifyOperationContext;

/**
 * An ApacheDS interceptor that stores each attribute of the certificate, certificate list (CRL) and certificate pair
 * syntaxes under its name with the {@code ;binary} option, whichever name the writer used, so that it is always
 * returned as {@code userCertificate;binary}, {@code certificateRevocationList;binary} and so on.
 *
 * <p>Why: RFC 4523 §2.1–2.4 allows values of these syntaxes to be transferred only with the {@code ;binary} option, and
 * Thunderbird takes a certificate only from an attribute named exactly {@code userCertificate;binary}. ApacheDS
 * 2.0.0.AM27 returns an attribute under the name it was stored with. An add stores the name the client wrote, but a
 * modify loses the options: {@code ServerEntryUtils.toServerModification} strips them from every modification before
 * any interceptor runs ("TODO : handle options"), so an attribute that a modify created or replaced came back as plain
 * {@code userCertificate}. The publisher used to work around that by deleting the entry and adding it again, during
 * which readers found no entry at all; with this interceptor a modify is enough.
 *
 * <p>It runs last, just before the partition, so no interceptor after it can change the name again. No other method of
 * it may be named after an operation ({@code rename}, {@code search}...): ApacheDS puts an interceptor in the chain of
 * every operation whose name one of its declared methods has, and the inherited ones do nothing.
 */
final class BinaryTransferOption extends BaseInterceptor {

    /** Certificate, CertificateList, CertificatePair and SupportedAlgorithm (RFC 4523 §2.1–2.4). */
    private static final Set<String> BINARY_ONLY_SYNTAXES = Set.of("1.3.6.1.4.1.1466.115.121.1.8", "1.3.6.1.4.1.1466.115.121.1.9",
            "1.3.6.1.4.1.1466.115.121.1.10", "1.3.6.1.4.1.1466.115.121.1.49");

    BinaryTransferOption() {
        super("certdirBinaryTransferOption");
    }

    @Override
    public void add(AddOperationContext addContext) throws LdapException {
        for (Attribute attribute : addContext.getEntry()) {
            nameWithBinaryOption(attribute);
        }
        next(addContext);
    }

    /**
     * Names the attributes of the modifications; an add that creates such an attribute becomes a replace, because
     * ApacheDS names an attribute that an add creates after its type, without the option (a replace stores the
     * attribute it is given). Which adds create their attribute follows from the entry before the change and the
     * modifications before each one.
     */
    @Override
    public void modify(ModifyOperationContext modifyContext) throws LdapException {
        Entry before = modifyContext.getEntry();
        Map<AttributeType, Set<Value>> values = new HashMap<>();
        for (Modification modification : modifyContext.getModItems()) {
            Attribute attribute = modification.getAttribute();
            if (!nameWithBinaryOption(attribute)) {
                continue;
            }
            Set<Value> present = values.computeIfAbsent(attribute.getAttributeType(), type -> valuesOf(before == null ? null : before.get(type)));
            switch (modification.getOperation()) {
                case ADD_ATTRIBUTE -> {
                    if (present.isEmpty()) {
                        modification.setOperation(ModificationOperation.REPLACE_ATTRIBUTE);
                    }
                    present.addAll(valuesOf(attribute));
                }
                case REMOVE_ATTRIBUTE -> {
                    if (attribute.size() == 0) {
                        present.clear();
                    } else {
                        present.removeAll(valuesOf(attribute));
                    }
                }
                case REPLACE_ATTRIBUTE -> {
                    present.clear();
                    present.addAll(valuesOf(attribute));
                }
                default -> {
                    // INCREMENT applies to integers only.
                }
            }
        }
        next(modifyContext);
    }

    private static Set<Value> valuesOf(Attribute attribute) {
        Set<Value> set = new HashSet<>();
        if (attribute != null) {
            for (Value value : attribute) {
                set.add(value);
            }
        }
        return set;
    }

    /** Gives {@code attribute} its name with {@code ;binary} if its syntax requires the option; says whether it does. */
    private static boolean nameWithBinaryOption(Attribute attribute) {
        AttributeType type = attribute.getAttributeType();
        if (type == null || !BINARY_ONLY_SYNTAXES.contains(type.getSyntaxOid())) {
            return false;
        }
        attribute.setUpId(type.getName() + ";binary");
        return true;
    }
}
