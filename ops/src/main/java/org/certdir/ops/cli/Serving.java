package org.certdir.ops.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.certdir.ops.Service;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.demo.DemoPki;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the service, prints where it answers, and keeps it up until the JVM is asked to stop. */
final class Serving {

    private static final Logger LOG = LoggerFactory.getLogger(Serving.class);

    private Serving() {
    }

    static int serve(ServiceConfig config, boolean demo, PrintWriter out, Clock clock) {
        long started = System.nanoTime();
        Service service = Service.start(config, demo, clock);
        // SIGTERM and Ctrl-C run shutdown hooks: drain HTTP, stop the directory, close the registry.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            service.close();
        }, "certdir-shutdown"));
        out.println(banner(service, config, demo, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
        out.flush();
        return CertdirCommand.KEEP_RUNNING;
    }

    static String banner(Service service, ServiceConfig config, boolean demo, long millis) {
        String suffix = config.ldap().dit().suffix().toString();
        String ldap = service.ldapUrl();
        StringBuilder text = new StringBuilder();
        text.append("certdir is running (started in ").append(millis).append(" ms; data directory ").append(service.data().root()).append(")\n");
        text.append("  LDAP    ").append(ldap).append("    anonymous read under ").append(suffix).append('\n');
        if (service.ldapsUrl() != null) {
            text.append("  LDAPS   ").append(service.ldapsUrl()).append("   TLS 1.2/1.3").append(demo ? ", server certificate from the demo issuing CA" : "").append('\n');
        }
        text.append("  HTTP    ").append(service.publicUrl()).append("    /ocsp, /crl/<ca>.crl, /aia/<ca>.p7c, /trust/trust-list.p7s, /certs/search.cgi, /health, /metrics\n");
        text.append("  admin   ").append(service.adminUrl()).append("    bearer token in ").append(service.data().adminToken()).append('\n');
        if (demo) {
            String mail = DemoPki.USERS.get(0) + "@" + DemoPki.MAIL_DOMAIN;
            text.append(service.demoCreated() ? "\nDemo PKI created in " : "\nDemo PKI in ").append(service.data().demo())
                    .append(" (README.txt there lists more to try).\n");
            text.append("Try:\n");
            text.append("  ldapsearch -x -H ").append(ldap).append(" -b ").append(suffix).append(" '(mail=").append(mail)
                    .append(")' 'userCertificate;binary'\n");
            if (service.ldapsUrl() != null) {
                text.append("  LDAPTLS_CACERT=").append(service.data().demo().resolve("chain.pem")).append(" ldapsearch -x -H ")
                        .append(service.ldapsUrl()).append(" -b ").append(suffix).append(" '(mail=").append(mail).append(")' mail\n");
            }
            text.append("  curl -s ").append(service.publicUrl()).append("/crl/demo-issuing-ca.crl | openssl crl -inform DER -noout -text\n");
            Path demoFiles = service.data().demo();
            text.append("  openssl ocsp -issuer ").append(demoFiles.resolve("issuing-ca.pem")).append(" -cert ").append(demoFiles.resolve("mallory-encryption.pem"))
                    .append(" -url ").append(service.publicUrl()).append("/ocsp -CAfile ").append(demoFiles.resolve("chain.pem")).append('\n');
            text.append("  curl -s ").append(service.publicUrl()).append("/health\n");
        }
        text.append("Stop with Ctrl-C.");
        return text.toString();
    }
}
