package org.certdir.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.certdir.ops.StartupFailure;
import org.certdir.ops.profile.CertificateProfile;
import org.certdir.ops.profile.CertificateProfile.CommonName;
import org.certdir.ops.profile.CertificateProfile.Usage;
import org.certdir.ops.profile.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** certdir.profiles as a config file gives them: the built-in ones, an admin's, and each mistake named with its profile and field. */
class ProfileConfigTest {

    @TempDir
    Path dir;

    private ServiceConfig load(String text) throws IOException {
        return ServiceConfig.load(Files.writeString(dir.resolve("certdir.conf"), text));
    }

    private String problems(String text) {
        return assertThrows(StartupFailure.class, () -> load(text)).getMessage().replace("config file " + dir.resolve("certdir.conf") + ": ", "");
    }

    @Test
    void defaults_theThreeBuiltInProfiles() {
        assertEquals("smime-encryption, smime-signing, smime-dual-use", ServiceConfig.defaults().profiles().names());
        CertificateProfile encryption = ServiceConfig.defaults().profiles().get("smime-encryption");
        assertEquals(List.of(KeyType.EC_P256, KeyType.EC_P384, KeyType.RSA_3072, KeyType.RSA_4096), encryption.keyTypes());
        assertEquals(Duration.ofDays(730), encryption.validity());
        assertEquals(Duration.ofDays(1095), encryption.maxValidity());
        assertEquals(List.of(Usage.KEY_ENCIPHERMENT, Usage.KEY_AGREEMENT), encryption.keyUsage());
        assertEquals(List.of(KeyPurposeId.id_kp_emailProtection.toOID()), encryption.extendedKeyUsage());
        assertEquals(CommonName.REQUIRED, encryption.commonName());
    }

    @Test
    void load_anAdminsProfile_withTheDefaultsOfWhatItLeavesOut() throws IOException {
        ServiceConfig config = load("""
                certdir.profiles {
                  partners {
                    key-algorithms = [ec-p256, rsa-2048]
                    validity = 365d
                    key-usage = [digitalSignature, contentCommitment, keyEncipherment, keyAgreement]
                    extended-key-usage = [emailProtection, clientAuth, "1.3.6.1.4.1.311.10.3.12"]
                    organisation = "Example GmbH"
                    organizational-units = [Sales, Purchasing]
                    common-name = optional
                    max-mail-addresses = 3
                    mail-domains = [Example.ORG]
                  }
                  minimal { key-usage = [digitalSignature] }
                }
                """);
        assertEquals("smime-encryption, smime-signing, smime-dual-use, minimal, partners", config.profiles().names());
        CertificateProfile partners = config.profiles().get("partners");
        assertEquals(new CertificateProfile("partners", false, List.of(KeyType.EC_P256, KeyType.RSA_2048), Duration.ofDays(365), Duration.ofDays(365),
                List.of(Usage.DIGITAL_SIGNATURE, Usage.NON_REPUDIATION, Usage.KEY_ENCIPHERMENT, Usage.KEY_AGREEMENT),
                List.of(KeyPurposeId.id_kp_emailProtection.toOID(), KeyPurposeId.id_kp_clientAuth.toOID(), new ASN1ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")),
                "Example GmbH", List.of("Sales", "Purchasing"), CommonName.OPTIONAL, 3, List.of("example.org")), partners);
        CertificateProfile minimal = config.profiles().get("minimal");
        assertEquals(new CertificateProfile("minimal", false, List.of(KeyType.EC_P256, KeyType.EC_P384, KeyType.RSA_3072, KeyType.RSA_4096),
                Duration.ofDays(730), Duration.ofDays(730), List.of(Usage.DIGITAL_SIGNATURE), List.of(KeyPurposeId.id_kp_emailProtection.toOID()), null,
                List.of(), CommonName.REQUIRED, 1, List.of()), minimal);
    }

    @Test
    void load_everyMistake_namedWithItsProfileAndField_allAtOnce() {
        assertEquals("certdir.profiles.partners.colour is not a profile setting (line 4; reference.conf lists them: common-name, extended-key-usage,"
                + " key-algorithms, key-usage, mail-domains, max-mail-addresses, max-validity, organisation, organizational-units, validity);"
                + " certdir.profiles.partners.key-algorithms: 'dsa-1024' is not one of ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096;"
                + " certdir.profiles.partners.validity: 0d is not a positive duration;"
                + " certdir.profiles.partners.common-name: 'sometimes' is not one of required, optional, none;"
                + " certdir.profiles.partners.mail-domains: 'example' is not a mail domain like example.com;"
                + " certdir.profiles.signers.key-usage is missing: list what the certificate is for, e.g. [keyEncipherment, keyAgreement] for encryption;"
                + " certdir.profiles.signers.max-validity: 30d is shorter than validity 730d",
                problems("""
                        certdir.profiles {
                          partners {
                            key-usage = [keyAgreement]
                            colour = blue
                            key-algorithms = [ec-p256, dsa-1024]
                            validity = 0d
                            common-name = sometimes
                            mail-domains = [example]
                          }
                          signers { max-validity = 30d }
                        }
                        """));
    }

    @Test
    void load_anEncryptionProfileThatCannotEncryptWithAKeyItAllows_refused() {
        assertEquals("certdir.profiles.ec-only.key-usage: [keyEncipherment] gives ec-p256 keys no encryption: EC keys agree on keys (RFC 5480 §3):"
                + " add keyAgreement, or allow RSA key types only",
                problems("certdir.profiles.ec-only { key-algorithms = [ec-p256, rsa-3072], key-usage = [keyEncipherment] }"));
    }

    @Test
    void load_badExtendedKeyUsages_andABuiltInName_refused() {
        assertEquals("certdir.profiles.any.extended-key-usage: anyExtendedKeyUsage (2.5.29.37.0) is not for end-entity S/MIME certificates: list the purposes;"
                + " certdir.profiles.clients.extended-key-usage: [clientAuth] lacks emailProtection: certdir's profiles are for S/MIME certificates"
                + " (RFC 8550 §4.4.4);"
                + " certdir.profiles.smime-signing: smime-signing is a built-in profile: give yours another name;"
                + " certdir.profiles.typo.extended-key-usage: 'emailprotection' is neither one of emailProtection, clientAuth, documentSigning nor a dotted OID",
                problems("""
                        certdir.profiles.any { key-usage = [digitalSignature], extended-key-usage = [emailProtection, "2.5.29.37.0"] }
                        certdir.profiles.clients { key-usage = [digitalSignature], extended-key-usage = [clientAuth] }
                        certdir.profiles.smime-signing { key-usage = [digitalSignature] }
                        certdir.profiles.typo { key-usage = [digitalSignature], extended-key-usage = [emailprotection] }
                        """));
    }
}
