package org.certdir.ops;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.certdir.directory.embedded.DirectorySettings;
import org.certdir.directory.embedded.DirectoryStartException;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.directory.publication.PublicationWorker;
import org.certdir.ops.admin.AdminApi;
import org.certdir.ops.ca.CaCreation;
import org.certdir.ops.ca.CaImport;
import org.certdir.ops.ca.CaInstallation;
import org.certdir.ops.ca.CaRenewal;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.demo.DemoPki;
import org.certdir.ops.demo.LdapTlsKey;
import org.certdir.ops.http.HealthCheck;
import org.certdir.ops.http.HttpListeners;
import org.certdir.ops.http.Metrics;
import org.certdir.ops.http.CrlRoutes;
import org.certdir.ops.issuance.CaSigners;
import org.certdir.crl.CrlIssuer;
import org.certdir.crl.CrlPublisher;
import org.certdir.crl.CrlSettings;
import org.certdir.crl.mirror.CrlFetcher;
import org.certdir.crl.mirror.CrlMirror;
import org.certdir.crl.distribution.DistributionPoint;
import org.certdir.crl.distribution.FilePoint;
import org.certdir.crl.distribution.HttpPoint;
import org.certdir.crl.distribution.LdapPoint;
import org.certdir.crl.distribution.WebDavPoint;
import org.certdir.directory.publication.RemoteDirectory;
import org.certdir.aia.CaChains;
import org.certdir.aia.CertificateStore;
import org.certdir.aia.TrustListFiles;
import org.certdir.aia.http.CertificateStoreRoutes;
import org.certdir.aia.http.AiaRoutes;
import org.certdir.aia.http.TrustRoutes;
import org.certdir.ocsp.OcspResponder;
import org.certdir.ocsp.OcspSettings;
import org.certdir.ocsp.StatusIndex;
import org.certdir.ocsp.http.OcspRoutes;
import org.certdir.ops.issuance.ExternalOcspSigner;
import org.certdir.ops.issuance.OcspSigners;
import org.certdir.schemas.Dit;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.registry.CaRecord;
import org.certdir.registry.Registry;
import org.certdir.registry.RegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running certdir: the locked data directory, the registry, the embedded directory with its publisher,
 * and the HTTP listeners. {@link #start} brings them up in that order and {@link #close} takes them down in
 * reverse; a part that fails to start closes the ones already up and reports one line.
 */
public final class Service implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Service.class);
    private static final Duration HTTP_DRAIN = Duration.ofSeconds(5);

    private final ServiceConfig config;
    private final List<AutoCloseable> parts = new ArrayList<>();
    private DataDirectory data;
    private Registry registry;
    private EmbeddedDirectory directory;
    private PublicationWorker worker;
    private CrlPublisher crl;
    private HttpPoint httpPoint;
    private HttpListeners http;
    private boolean demoCreated;
    private CaSigners caSigners;
    private OcspResponder ocsp;
    private OcspSigners ocspSigners;
    private CrlMirror mirror;

    private Service(ServiceConfig config) {
        this.config = config;
    }

    /** Starts everything; with {@code demo}, creates the demo PKI first if the data directory has none. */
    public static Service start(ServiceConfig config, boolean demo, Clock clock) {
        Service service = new Service(config);
        try {
            service.startParts(demo, clock);
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private void startParts(boolean demo, Clock clock) {
        data = DataDirectory.lock(config.data());
        parts.add(data);
        try {
            registry = Registry.open(data.registryFile(), clock);
        } catch (RegistryException e) {
            throw new StartupFailure(e.getMessage(), e);
        }
        parts.add(registry);
        String adminToken = DataDirectory.secret(data.adminToken());
        String ldapPassword = DataDirectory.secret(data.ldapAdminPassword());

        ServiceConfig.Ldap ldap = config.ldap();
        PublicationUrls urls = new PublicationUrls(config.http().baseUrl(), ldap.publicHost(), ldap.publicPort(), ldap.dit());
        CertificateIssuer issuer = new CertificateIssuer(urls, clock);
        if (demo) {
            DemoPki.Endpoints endpoints = new DemoPki.Endpoints("ldap://" + ldap.publicHost() + ":" + ldap.publicPort(),
                    ldap.ldapsPort() > 0 ? "ldaps://" + ldap.publicHost() + ":" + ldap.ldapsPort() : null, config.http().baseUrl(), ldap.dit().suffix().toString());
            demoCreated = new DemoPki(data, registry, issuer, config.demo().keyAlgorithm(), config.demo().organisation(), endpoints, clock)
                    .createIfMissing();
        }
        Path tlsKey = LdapTlsKey.file(data);
        try {
            if (LdapTlsKey.renewIfDue(data, issuer, registry, config.demo().keyAlgorithm(), clock.instant())) {
                LOG.info("renewed the LDAPS server certificate in {}", tlsKey);
            }
        } catch (IOException e) {
            throw new StartupFailure("cannot renew the LDAPS key " + tlsKey + ": " + e.getMessage(), e);
        }
        boolean tls = ldap.ldapsPort() > 0 && Files.exists(tlsKey);

        try {
            directory = EmbeddedDirectory.start(new DirectorySettings(data.directoryInstance(), ldap.dit(), ldap.host(), ldap.port(),
                    ldap.ldapsPort(), tls ? tlsKey : null, tls ? DataDirectory.secret(data.keysPassphrase()) : null, ldapPassword,
                    ldap.sizeLimit(), ldap.timeLimit(), ldap.maxPduSize(), ldap.requestThreads(), ldap.entryCache(), ldap.clientLimits()));
        } catch (DirectoryStartException e) {
            throw new StartupFailure(e.getMessage(), e);
        }
        parts.add(directory);

        LDAPConnectionPool pool;
        try {
            pool = new LDAPConnectionPool(new LDAPConnection(directoryConnectionOptions(), ldap.host(), directory.ldapPort(),
                    EmbeddedDirectory.SERVICE_ACCOUNT, ldapPassword), 2);
        } catch (LDAPException e) {
            throw new StartupFailure("cannot connect to the embedded directory as the service account: " + e.getMessage(), e);
        }
        // After a directory outage, a pooled connection is dead: retry once on a fresh one before reporting failure.
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        parts.add(pool::close);
        DirectoryPublisher publisher = new DirectoryPublisher(pool, ldap.dit(), clock);
        ResumableRepublication republication = new ResumableRepublication(data.directoryRepublishMarker());
        if (republication.unfinished()) {
            LOG.warn("the last republication of the directory did not finish (the process stopped during it): republishing from the registry");
            republication.run(publisher, registry);
        } else if (!publisher.layoutPresent()) {
            // A new or wiped directory: the registry is the source of truth, publish all of it.
            republication.run(publisher, registry);
        }

        worker = new PublicationWorker(registry, publisher, clock);
        registry.onStatusChange(change -> worker.wake());
        worker.start();
        parts.add(worker);

        crl = startCrlPublisher(publisher, urls, clock);
        parts.add(crl);

        // A partition that fails while serving is rebuilt from the registry (checked every 5 s; nothing to do while
        // well); the CA entries then get their newest CRLs again, which the points' records say they hold already.
        ScheduledExecutorService repair = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "directory-repair");
            thread.setDaemon(true);
            return thread;
        });
        repair.scheduleWithFixedDelay(new DirectoryRepair(directory, registry, ldapPassword, republication,
                () -> crl.resend(embeddedDirectoryPoints()), data.directoryInstance(), config.health().minFreeSpace()), 5, 5, TimeUnit.SECONDS);
        parts.add(repair::shutdownNow);

        Vertx vertx = Vertx.vertx();
        parts.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get());
        http = new HttpListeners(vertx, adminToken, config.http().maxConnectionsPerAddress());
        ocsp = startOcspResponder(issuer, clock);
        mirror = startCrlMirror(clock);
        new OcspRoutes(ocsp, clock).register(http.publicRouter());
        new AiaRoutes(new CaChains(registry)).register(http.publicRouter());
        new TrustRoutes(new TrustListFiles(registry, this::trustListSigner, clock)).register(http.publicRouter());
        new CertificateStoreRoutes(new CertificateStore(registry, clock)).register(http.publicRouter());
        HealthCheck health = new HealthCheck(registry, publisher, ldapUrl(), crl, config.crl().staleMargin(), ocsp, directory, data.root(),
                config.health().minFreeSpace(), mirror);
        new CrlRoutes(httpPoint).register(http.publicRouter());
        http.publicRouter().route("/health").method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD)
                .blockingHandler(health::handlePublic, false);
        http.publicRouter().get("/metrics").blockingHandler(new Metrics(registry, ocsp)::handle, false);
        CaRenewal caRenewal = new CaRenewal(data, registry, issuer, clock, this::serveNewCa);
        new AdminApi(registry, publisher, data, issuer, crl, new CaCreation(data, registry, issuer, clock, this::serveNewCa),
                new CaInstallation(data, registry, clock, this::serveNewCa, caRenewal), new CaImport(data, registry, this::serveNewCa), mirror,
                new ExternalOcspSigner(data, registry, issuer, clock), () -> ocspSigners.refresh(ocsp), config.profiles(), caRenewal)
                .register(http.adminRouter(), health);
        http.start(config.http().host(), config.http().port(), config.admin().host(), config.admin().port());
        parts.add(() -> http.shutdown(HTTP_DRAIN));
    }

    /**
     * A CA created, installed, imported or renewed while running is served at once: an OCSP signer (delegated, issued now) and a first full
     * CRL, sent to every point (the directory's CA entry is written by the publication worker, or by the LDAP point).
     */
    private void serveNewCa(CaRecord ca) {
        ocspSigners.refresh(ocsp);
        crl.publishNow(ca);
    }

    private CaSigners caSigners() {
        if (caSigners == null) {
            caSigners = new CaSigners(data.root(), DataDirectory.secret(data.keysPassphrase()).toCharArray());
        }
        return caSigners;
    }

    /**
     * The CA that signs the trust list: the one {@code certdir.trust.signer} names, or our root (the first
     * self-signed CA certdir holds the key of); null when there is none, or the named CA's key is not ours.
     */
    private TrustListFiles.Signer trustListSigner() {
        String configured = config.trust().signer();
        return registry.cas().stream()
                .filter(ca -> ca.managed() && (configured != null ? ca.name().value().equals(configured)
                        : ca.certificate().subject().equals(ca.certificate().issuer())))
                .findFirst()
                .map(ca -> new TrustListFiles.Signer(ca.certificate().certificate(), () -> caSigners().apply(ca)))
                .orElse(null);
    }

    /** The responder with every CA's signer, renewed hourly; its status index follows the registry from now on. */
    private OcspResponder startOcspResponder(CertificateIssuer issuer, Clock clock) {
        ServiceConfig.Ocsp settings = config.ocsp();
        OcspResponder responder = new OcspResponder(StatusIndex.follow(registry), new OcspSettings(settings.validity(), settings.unknownAsRevoked(),
                settings.cacheBytes(), settings.signingThreads(), settings.signingQueue()), clock);
        parts.add(responder);
        OcspSigners signers = new OcspSigners(data, registry, issuer, settings, clock);
        signers.refresh(responder);
        ocspSigners = signers;
        ScheduledExecutorService renewal = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ocsp-signer-renewal");
            thread.setDaemon(true);
            return thread;
        });
        renewal.scheduleWithFixedDelay(() -> signers.refresh(responder), 1, 1, TimeUnit.HOURS);
        parts.add(renewal::shutdownNow);
        return responder;
    }

    /**
     * The mirror of the CRLs of CAs certdir does not hold: it tells the OCSP responder until when each such CA's
     * statuses may be answered from, and fetches the configured URLs now and every interval.
     */
    private CrlMirror startCrlMirror(Clock clock) {
        ServiceConfig.Mirror settings = config.mirror();
        CrlMirror started = new CrlMirror(registry, crl, new CrlFetcher(settings.timeout(), settings.maxSize(), settings.maxRedirects()),
                settings.cas(), clock, ocsp::answerUntil);
        parts.add(started);
        try {
            started.start();
        } catch (IllegalArgumentException e) {
            throw new StartupFailure(e.getMessage(), e);
        }
        return started;
    }

    public CrlMirror crlMirror() {
        return mirror;
    }

    private CrlPublisher startCrlPublisher(DirectoryPublisher publisher, PublicationUrls urls, Clock clock) {
        ServiceConfig.Crl settings = config.crl();
        List<DistributionPoint> points = new ArrayList<>();
        // Full CRLs name the delta where it is published and the certificates' CRL distribution points lead: over
        // HTTP and on the CA entry of the embedded directory.
        boolean httpDelta = settings.points().stream().anyMatch(point -> point.type().equals("http"));
        boolean ldapDelta = !embeddedDirectoryPoints().isEmpty();
        java.util.function.Function<org.certdir.registry.CaRecord, List<String>> deltaLocations = ca -> {
            List<String> locations = new ArrayList<>();
            if (httpDelta) {
                locations.add(urls.deltaCrl(ca.name()));
            }
            if (ldapDelta) {
                locations.add(urls.ldapDeltaCrl(ca.certificate().commonName()));
            }
            return locations;
        };
        for (ServiceConfig.Point point : settings.points()) {
            points.add(switch (point.type()) {
                case "file" -> new FilePoint(point.name(), data.root().resolve(point.target()));
                case "ldap" -> point.target() == null ? new LdapPoint(point.name(), publisher, config.ldap().maxPduSize()) : externalLdapPoint(point);
                case "http" -> httpPoint = new HttpPoint(point.name());
                case "webdav" -> new WebDavPoint(point.name(), java.net.URI.create(point.target()), point.user(), password(point));
                default -> throw new StartupFailure("CRL point " + point.name() + " has an unknown type " + point.type());
            });
        }
        if (httpPoint == null) {
            // GET /crl/... answers 404 for every CA when no http point is configured.
            httpPoint = new HttpPoint("http");
        }
        CrlSettings crlSettings;
        try {
            crlSettings = new CrlSettings(settings.fullValidity(), settings.fullPeriod(), settings.deltaValidity(), settings.deltaPeriod(),
                    settings.debounce(), settings.deltas(), settings.fullOnChangeWithin());
        } catch (IllegalArgumentException e) {
            throw new StartupFailure("CRL settings: " + e.getMessage(), e);
        }
        CrlPublisher crlPublisher = new CrlPublisher(registry, new CrlIssuer(registry, caSigners(), deltaLocations, crlSettings, clock), points, crlSettings, clock);
        crlPublisher.start();
        return crlPublisher;
    }

    /** The names of the CRL points that write into the embedded directory (type ldap without a target). */
    private java.util.Set<String> embeddedDirectoryPoints() {
        return config.crl().points().stream().filter(point -> point.type().equals("ldap") && point.target() == null).map(ServiceConfig.Point::name)
                .collect(java.util.stream.Collectors.toSet());
    }

    /**
     * The service account's LDAP options: CA entries carry CRLs, which for a large CA are tens of megabytes, more
     * than the SDK's default limit of 20 MiB per message.
     */
    public static com.unboundid.ldap.sdk.LDAPConnectionOptions directoryConnectionOptions() {
        com.unboundid.ldap.sdk.LDAPConnectionOptions options = new com.unboundid.ldap.sdk.LDAPConnectionOptions();
        options.setMaxMessageSize(512 * 1024 * 1024);
        return options;
    }

    /**
     * A CA entry on a directory server we do not run. Its own request size limit is unknown here (OpenLDAP's is
     * 4 MiB for a bound client by default), so a CRL too large for it is the server's error, shown on the point.
     */
    private LdapPoint externalLdapPoint(ServiceConfig.Point point) {
        try {
            com.unboundid.ldap.sdk.LDAPURL url = new com.unboundid.ldap.sdk.LDAPURL(point.target());
            LDAPConnectionPool pool = RemoteDirectory.connect(url, point.user(), password(point), point.trustFile(), directoryConnectionOptions());
            parts.add(pool::close);
            return new LdapPoint(point.name(), new DirectoryPublisher(pool, new Dit(url.getBaseDN())), Integer.MAX_VALUE);
        } catch (LDAPException | java.security.GeneralSecurityException e) {
            throw new StartupFailure("CRL point " + point.name() + " (" + point.target() + "): " + e.getMessage()
                    + (point.trustFile() == null ? "" : "; check its trust-file " + point.trustFile()), e);
        }
    }

    /** The password of a point's basic authentication, read from its file; null without one. */
    private static String password(ServiceConfig.Point point) {
        if (point.passwordFile() == null) {
            return null;
        }
        try {
            String password = java.nio.file.Files.readString(point.passwordFile()).strip();
            if (password.isEmpty()) {
                throw new StartupFailure("password file " + point.passwordFile() + " of CRL point " + point.name() + " is empty");
            }
            return password;
        } catch (IOException e) {
            throw new StartupFailure("password file " + point.passwordFile() + " of CRL point " + point.name() + " cannot be read ("
                    + e.getClass().getSimpleName() + "): create it or fix certdir.crl.points");
        }
    }

    public String ldapUrl() {
        return "ldap://" + directory.host() + ":" + directory.ldapPort();
    }

    /** The LDAPS URL, or null when no TLS key is configured. */
    public String ldapsUrl() {
        return directory.ldapsPort() < 0 ? null : "ldaps://" + directory.host() + ":" + directory.ldapsPort();
    }

    public String publicUrl() {
        return "http://" + config.http().host() + ":" + http.publicPort();
    }

    public String adminUrl() {
        return "http://" + config.admin().host() + ":" + http.adminPort();
    }

    public DataDirectory data() {
        return data;
    }

    /** The public and admin HTTP listeners, for tests that walk every route. */
    public HttpListeners http() {
        return http;
    }

    public Registry registry() {
        return registry;
    }

    public CrlPublisher crlPublisher() {
        return crl;
    }

    /** The embedded directory, for tests that take it down and bring it back. */
    public EmbeddedDirectory directory() {
        return directory;
    }

    public PublicationWorker publicationWorker() {
        return worker;
    }

    public boolean demoCreated() {
        return demoCreated;
    }

    /** Closes the parts in reverse order of start; safe to call twice. */
    @Override
    public synchronized void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.warn("shutting down {} failed: {}", parts.get(i).getClass().getSimpleName(), e.getMessage());
            }
        }
        parts.clear();
    }
}
