package org.certdir.directory.embedded;

import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.directory.api.ldap.model.constants.LdapSecurityConstants;
import org.apache.directory.api.ldap.model.entry.DefaultEntry;
import org.apache.directory.api.ldap.model.entry.DefaultModification;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.entry.ModificationOperation;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.password.PasswordUtil;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.api.ldap.schema.extractor.impl.DefaultSchemaLdifExtractor;
import org.apache.directory.api.ldap.schema.loader.LdifSchemaLoader;
import org.apache.directory.api.ldap.schema.manager.impl.DefaultSchemaManager;
import org.apache.directory.server.constants.ServerDNConstants;
import org.apache.directory.server.core.DefaultDirectoryService;
import org.apache.directory.server.core.api.CoreSession;
import org.apache.directory.server.core.api.DnFactory;
import org.apache.directory.server.core.api.InstanceLayout;
import org.apache.directory.server.core.api.schema.SchemaPartition;
import org.apache.directory.server.core.partition.impl.btree.jdbm.JdbmIndex;
import org.apache.directory.server.core.partition.impl.btree.jdbm.JdbmPartition;
import org.apache.directory.server.core.partition.ldif.LdifPartition;
import org.apache.directory.server.core.shared.DefaultDnFactory;
import org.apache.directory.server.ldap.LdapServer;
import org.apache.directory.server.protocol.shared.transport.TcpTransport;
import org.certdir.schemas.Dit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded Apache Directory Server: a persistent instance in the data directory with one JDBM partition
 * for the suffix, access control on, anonymous read of the public attributes only, size, time and request
 * size limits, plain LDAP and (with a TLS key) LDAPS restricted to TLS 1.2 and 1.3.
 *
 * <p>Design notes: {@code DefaultDirectoryServiceFactory} wipes its instance on every start (it is for tests),
 * so the service is assembled here. {@code syncOnWrite} stays on: without it, acknowledged entries of a new
 * partition were lost on kill -9. The directory is a publication of the registry and can always be rebuilt
 * from it, which also covers the JDBM index corruption reported in the past.
 */
public final class EmbeddedDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDirectory.class);
    private static final List<String> TLS_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
    /** The service's own account: the only one that may write, and exempt from the size and time limits. */
    public static final String SERVICE_ACCOUNT = ServerDNConstants.ADMIN_SYSTEM_DN;

    private final DirectorySettings settings;
    /** What the LDAP handler saw the partition throw (JDBM reports damage with java.lang.Error); null while none. */
    private final AtomicReference<String> partitionFailure;
    // Replaced together by rebuild(); read by the accessors from other threads.
    private volatile DefaultDirectoryService service;
    private volatile Listeners listeners;
    private volatile Path damaged;
    private volatile boolean rebuilding;
    /** Set while a rebuild that failed left the listeners and the service stopped: the next one need not stop them again. */
    private boolean stopped;
    /** The ports the listeners were last bound to: with port 0 configured, only the first start chooses them. */
    private volatile int ldapBound = -1;
    private volatile int ldapsBound = -1;

    private EmbeddedDirectory(DirectorySettings settings, AtomicReference<String> partitionFailure, DefaultDirectoryService service,
                              Listeners listeners, Path damaged) {
        this.settings = settings;
        this.partitionFailure = partitionFailure;
        this.service = service;
        this.listeners = listeners;
        this.damaged = damaged;
    }

    /** The LDAP server of a directory service with its plain and (null without TLS) LDAPS transports. */
    private record Listeners(LdapServer server, TcpTransport ldap, TcpTransport ldaps) {
    }

    /**
     * ApacheDS reads the number of JDBM pages each index (and the entry table) keeps deserialised from this system
     * property when a partition opens. Its default, 100 pages, is far too small for a directory of people: at 100,000
     * entries every lookup deserialised the index pages on its path again, and lookups ran at 0.24× slapd's rate
     * instead of 0.69× (BENCHMARKS.md, profiled with JFR).
     */
    static final String PAGE_CACHE_PROPERTY = "jdbm.recman.cache.size";
    private static final boolean PAGE_CACHE_SET_BY_OPERATOR = System.getProperty(PAGE_CACHE_PROPERTY) != null;

    /** Pages per index: a tenth of the entries cached, so it grows with the directory the entry cache is sized to. */
    static int pageCache(int entryCache) {
        return Math.max(100, entryCache / 10);
    }

    /**
     * Starts the directory; throws {@link DirectoryStartException} naming the port or the file at fault.
     */
    public static EmbeddedDirectory start(DirectorySettings settings) {
        Path damaged = null;
        AtomicReference<String> partitionFailure = new AtomicReference<>();
        DefaultDirectoryService service;
        try {
            service = openChecked(settings, partitionFailure);
        } catch (Exception | Error e) {
            // Exception | Error: JDBM reports a damaged file with java.lang.Error (ERR_546 page header magic, ERR_554
            // double get for block 0). The directory is a publication of the registry: move the damaged instance aside
            // and start an empty one, which the service fills from the registry as for a new installation.
            if (e instanceof VirtualMachineError vm) {
                throw vm;
            }
            if (!Files.isDirectory(settings.instance().resolve("partitions"))) {
                throw new DirectoryStartException("directory instance " + settings.instance() + " cannot start: " + e.getMessage(), e);
            }
            try {
                damaged = moveAside(settings.instance());
            } catch (IOException move) {
                throw new DirectoryStartException("directory instance " + settings.instance() + " cannot start (" + e.getMessage()
                        + ") and cannot be moved aside to rebuild it: " + move.getMessage(), e);
            }
            LOG.error("directory instance {} cannot be opened ({}): moved it to {}; starting an empty one, rebuilt from the registry",
                    settings.instance(), e.toString(), damaged);
            try {
                partitionFailure.set(null);
                service = openChecked(settings, partitionFailure);
            } catch (Exception | Error again) {
                if (again instanceof VirtualMachineError vm) {
                    throw vm;
                }
                throw new DirectoryStartException("directory instance " + settings.instance() + " cannot start even empty: " + again.getMessage()
                        + " (the damaged one was moved to " + damaged + ")", again);
            }
        }
        Listeners listeners;
        try {
            listeners = listen(settings, service, settings.host(), settings.ldapPort(), settings.tlsKeyStore() == null ? -1 : settings.ldapsPort(),
                    partitionFailure);
        } catch (DirectoryStartException e) {
            shutdownQuietly(service);
            throw e;
        }
        EmbeddedDirectory directory = new EmbeddedDirectory(settings, partitionFailure, service, listeners, damaged);
        LOG.info("directory listening on ldap://{}:{}{}", settings.host(), directory.ldapPort(),
                listeners.ldaps() == null ? "" : " and ldaps://" + settings.host() + ":" + directory.ldapsPort());
        return directory;
    }

    /**
     * Starts an LDAP server for {@code service} on {@code host}: plain LDAP on {@code ldapPort}, LDAPS on {@code ldapsPort}
     * unless it is negative. Throws {@link DirectoryStartException} naming the port at fault.
     */
    private static Listeners listen(DirectorySettings settings, DefaultDirectoryService service, String host, int ldapPort, int ldapsPort,
                                    AtomicReference<String> partitionFailure) {
        LdapServer server = new LimitedLdapServer(settings.clientLimits(), failure -> FailStopPartition.record(partitionFailure, failure,
                "answering a client"));
        server.setServiceName("certdir");
        server.setDirectoryService(service);
        server.setMaxSizeLimit(settings.sizeLimit());
        server.setMaxTimeLimit((int) Math.max(1, settings.timeLimit().toSeconds()));
        // Stored only: ApacheDS enforces the service's limit (set in startService), not this one.
        server.setMaxPDUSize(settings.maxPduSize());
        TcpTransport ldap = new TcpTransport(host, ldapPort, settings.requestThreads(), 50);
        TcpTransport ldaps = null;
        if (ldapsPort >= 0) {
            ldaps = new TcpTransport(host, ldapsPort, settings.requestThreads(), 50);
            ldaps.setEnableSSL(true);
            // ApacheDS enables TLS 1.0-1.2 by default; Thunderbird and current clients need 1.2 or 1.3.
            ldaps.setEnabledProtocols(TLS_PROTOCOLS);
            ldap.setEnabledProtocols(TLS_PROTOCOLS);
            server.setKeystoreFile(settings.tlsKeyStore().toString());
            server.setCertificatePassword(settings.tlsPassword());
            server.setTransports(ldap, ldaps);
        } else {
            server.setTransports(ldap);
        }
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            if (isBindFailure(e)) {
                throw new DirectoryStartException("LDAP port " + ldapPort
                        + (ldapsPort < 0 ? "" : " or LDAPS port " + ldapsPort)
                        + " on " + host + " is in use: stop the program using it or set certdir.ldap.port / certdir.ldap.ldaps-port", e);
            }
            throw new DirectoryStartException("LDAP listener cannot start on " + host + ": " + e.getMessage(), e);
        }
        return new Listeners(server, ldap, ldaps);
    }

    /**
     * The failure the partition reported to a client request (JDBM's java.lang.Error, e.g. "ERR_546 CRITICAL: page header
     * magic for block 152 not OK") or to a write ("java.io.IOException: No space left on device"), or null: from the
     * first such failure on, the directory refuses every request to the partition until rebuilt (see {@link FailStopPartition}).
     */
    public String partitionFailure() {
        return partitionFailure.get();
    }

    /** Whether {@link #rebuild} is running: the listeners are closed meanwhile. */
    public boolean rebuilding() {
        return rebuilding;
    }

    /**
     * Replaces the instance by an empty one while the service runs, and returns where the old one went. Meanwhile
     * lookups are refused: the listeners are closed (connected clients get a notice of disconnection,
     * {@code unavailable}, and new ones are refused), so no client reads a half-filled directory. {@code fill} gets the
     * port of a listener on 127.0.0.1 that only lives during the rebuild, to publish the registry through; then the
     * listeners open again on their ports.
     */
    public synchronized Path rebuild(java.util.function.IntConsumer fill) {
        int ldapPort = ldapPort();
        int ldapsPort = listeners.ldaps() == null ? -1 : ldapsPort();
        rebuilding = true;
        try {
            if (!stopped) {
                listeners.server().stop();
                shutdownQuietly(service);
                stopped = true;
            }
            Path aside;
            // The new instance starts well; if it cannot be made, the old failure stands and the next rebuild tries again.
            String failure = partitionFailure.getAndSet(null);
            try {
                // A rebuild that failed before it created the new instance left none to move.
                aside = Files.exists(settings.instance()) ? moveAside(settings.instance()) : damaged;
                service = openChecked(settings, partitionFailure);
                stopped = false;
            } catch (Exception e) {
                partitionFailure.compareAndSet(null, failure);
                throw new DirectoryStartException("directory instance " + settings.instance() + " cannot be rebuilt: " + e.getMessage(), e);
            }
            LOG.warn("directory instance moved to {}; filling an empty one from the registry, with the LDAP ports closed", aside);
            Listeners internal = listen(settings, service, "127.0.0.1", 0, -1, partitionFailure);
            try {
                fill.accept(boundPort(internal.ldap()));
            } finally {
                internal.server().stop();
                listeners = listen(settings, service, settings.host(), ldapPort, ldapsPort, partitionFailure);
                damaged = aside;
            }
            LOG.info("directory rebuilt; listening again on ldap://{}:{}", settings.host(), ldapPort());
            return aside;
        } finally {
            rebuilding = false;
        }
    }

    /** Where a damaged instance was moved at this start, or null when the instance opened. */
    public Path damagedInstance() {
        return damaged;
    }

    /**
     * Starts the service and reads the suffix and the entries under it, so that a partition that opens but cannot be
     * read counts as damaged too; shuts the half-started service down on failure, releasing its files.
     */
    private static DefaultDirectoryService openChecked(DirectorySettings settings, AtomicReference<String> partitionFailure) throws Exception {
        DefaultDirectoryService[] started = new DefaultDirectoryService[1];
        try {
            DefaultDirectoryService service = startService(settings, started, partitionFailure);
            CoreSession admin = service.getAdminSession();
            Dn suffix = new Dn(service.getSchemaManager(), settings.dit().suffix().toString());
            admin.lookup(suffix);
            try (var children = admin.search(suffix, org.apache.directory.api.ldap.model.message.SearchScope.ONELEVEL,
                    org.apache.directory.api.ldap.model.filter.FilterParser.parse(service.getSchemaManager(), "(objectClass=*)"),
                    org.apache.directory.api.ldap.model.message.AliasDerefMode.NEVER_DEREF_ALIASES)) {
                while (children.next()) {
                    children.get();
                }
            }
            return service;
        } catch (Exception | Error e) {
            if (started[0] != null) {
                shutdownQuietly(started[0]);
            }
            throw e;
        }
    }

    /** Moves {@code instance} to {@code <instance>.damaged-<UTC time>}, deleting an older damaged copy (they are large). */
    private static Path moveAside(Path instance) throws IOException {
        Path parent = instance.toAbsolutePath().getParent();
        String prefix = instance.getFileName() + ".damaged-";
        try (var siblings = Files.list(parent)) {
            for (Path old : siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                deleteTree(old);
            }
        }
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC)
                .format(java.time.Instant.now());
        Path aside = parent.resolve(prefix + stamp);
        Files.move(instance, aside);
        return aside;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static DefaultDirectoryService startService(DirectorySettings settings, DefaultDirectoryService[] started,
                                                        AtomicReference<String> partitionFailure) throws Exception {
        // Exception: ApacheDS declares plain Exception on several of the calls below.
        File root = settings.instance().toFile();
        Files.createDirectories(settings.instance());
        // The instance holds the service account's password hash and every entry: owner only.
        Files.setPosixFilePermissions(settings.instance(), PosixFilePermissions.fromString("rwx------"));
        DefaultDirectoryService service = new DefaultDirectoryService();
        started[0] = service;
        service.setShutdownHookEnabled(false);
        service.setExitVmOnShutdown(false);
        service.setInstanceLayout(new InstanceLayout(root));
        service.setInstanceId("certdir");

        File partitions = service.getInstanceLayout().getPartitionsDirectory();
        File schemaDirectory = new File(partitions, "schema");
        if (!schemaDirectory.exists()) {
            new DefaultSchemaLdifExtractor(partitions).extractOrCopy();
        }
        SchemaManager schemaManager = new DefaultSchemaManager(new LdifSchemaLoader(schemaDirectory));
        schemaManager.loadAllEnabled();
        if (!schemaManager.getErrors().isEmpty()) {
            throw new IllegalStateException("schema has errors: " + schemaManager.getErrors());
        }
        service.setSchemaManager(schemaManager);
        // The service creates its DN factory only in startup(); the partitions need one before.
        DnFactory dnFactory = new DefaultDnFactory(schemaManager, 10_000);
        service.setDnFactory(dnFactory);

        LdifPartition schemaLdif = new LdifPartition(schemaManager, dnFactory);
        schemaLdif.setPartitionPath(schemaDirectory.toURI());
        SchemaPartition schemaPartition = new SchemaPartition(schemaManager);
        schemaPartition.setWrappedPartition(schemaLdif);
        service.setSchemaPartition(schemaPartition);

        if (!PAGE_CACHE_SET_BY_OPERATOR) {
            System.setProperty(PAGE_CACHE_PROPERTY, String.valueOf(pageCache(settings.entryCache())));
        }
        JdbmPartition system = new JdbmPartition(schemaManager, dnFactory);
        system.setId("system");
        system.setPartitionPath(new File(partitions, "system").toURI());
        system.setSuffixDn(new Dn(schemaManager, ServerDNConstants.SYSTEM_DN));
        system.setSyncOnWrite(true);
        service.setSystemPartition(system);

        JdbmPartition suffix = new FailStopPartition(schemaManager, dnFactory, partitionFailure);
        suffix.setId("certdir");
        suffix.setPartitionPath(new File(partitions, "certdir").toURI());
        suffix.setSuffixDn(new Dn(schemaManager, settings.dit().suffix().toString()));
        suffix.setSyncOnWrite(true);
        suffix.setCacheSize(settings.entryCache());
        // Mail clients search by mail, address books by cn and uid.
        for (String attribute : List.of("mail", "uid", "cn", "objectClass")) {
            suffix.addIndex(new JdbmIndex<>(attribute, false));
        }
        service.addPartition(suffix);

        service.getChangeLog().setEnabled(false);
        service.setDenormalizeOpAttrsEnabled(true);
        // Mail clients look certificates up anonymously; access control keeps that to reading the public attributes.
        service.setAllowAnonymousAccess(true);
        service.setAccessControlEnabled(true);
        // The request size limit ApacheDS enforces: a larger PDU closes the connection before it is buffered.
        service.setMaxPDUSize(settings.maxPduSize());
        service.startup();
        // Last in the chain, so that the ;binary names it gives are the ones stored.
        service.addLast(new BinaryTransferOption());

        CoreSession admin = service.getAdminSession();
        setServicePassword(admin, schemaManager, settings.adminPassword());
        ensureSuffixEntry(admin, schemaManager, settings.dit());
        return service;
    }

    /** Replaces the well-known default password {@code secret} with the generated one, stored as a salted hash. */
    private static void setServicePassword(CoreSession admin, SchemaManager schemaManager, String password) throws LdapException {
        byte[] hash = PasswordUtil.createStoragePassword(password, LdapSecurityConstants.HASH_METHOD_SSHA256);
        admin.modify(new Dn(schemaManager, SERVICE_ACCOUNT),
                new DefaultModification(ModificationOperation.REPLACE_ATTRIBUTE, "userPassword", hash));
    }

    /** Creates the suffix entry, marks it an access control area and adds the public-read subentry, once. */
    private static void ensureSuffixEntry(CoreSession admin, SchemaManager schemaManager, Dit dit) throws LdapException {
        Dn suffix = new Dn(schemaManager, dit.suffix().toString());
        if (!admin.exists(suffix)) {
            String rdnType = dit.suffix().getRDN().getAttributeNames()[0];
            String rdnValue = dit.suffix().getRDN().getAttributeValues()[0];
            Entry entry = new DefaultEntry(schemaManager, suffix);
            switch (rdnType.toLowerCase(java.util.Locale.ROOT)) {
                case "dc" -> entry.add("objectClass", "top", "domain", "extensibleObject").add("dc", rdnValue);
                case "o" -> entry.add("objectClass", "top", "organization").add("o", rdnValue);
                case "ou" -> entry.add("objectClass", "top", "organizationalUnit").add("ou", rdnValue);
                default -> throw new IllegalStateException("suffix " + suffix + " must start with dc=, o= or ou=");
            }
            entry.add("administrativeRole", "accessControlSpecificArea");
            admin.add(entry);
        }
        Dn subentry = suffix.add("cn=" + AccessControl.SUBENTRY_CN);
        Entry aci = new DefaultEntry(schemaManager, subentry);
        aci.add("objectClass", AccessControl.subentryObjectClasses().toArray(String[]::new));
        aci.add("cn", AccessControl.SUBENTRY_CN);
        aci.add("subtreeSpecification", "{}");
        aci.add("prescriptiveACI", AccessControl.publicReadAci());
        if (admin.exists(subentry)) {
            // Rewritten on every start, so a changed list of public attributes takes effect.
            admin.modify(subentry, new DefaultModification(ModificationOperation.REPLACE_ATTRIBUTE, "prescriptiveACI",
                    AccessControl.publicReadAci()));
        } else {
            admin.add(aci);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    /** The LDAP port; while the listeners are stopped, the one they had. */
    public int ldapPort() {
        int port = boundPort(listeners.ldap());
        if (port > 0) {
            ldapBound = port;
        }
        return ldapBound > 0 ? ldapBound : settings.ldapPort();
    }

    /** The LDAPS port, or -1 without TLS; while the listeners are stopped, the one they had. */
    public int ldapsPort() {
        TcpTransport ldaps = listeners.ldaps();
        if (ldaps == null) {
            return -1;
        }
        int port = boundPort(ldaps);
        if (port > 0) {
            ldapsBound = port;
        }
        return ldapsBound > 0 ? ldapsBound : settings.ldapsPort();
    }

    /** The port a listener is bound to, or -1 when it is not (ApacheDS makes a new, unbound acceptor after a stop). */
    private static int boundPort(TcpTransport transport) {
        var acceptor = transport.getAcceptor();
        var address = acceptor == null ? null : acceptor.getLocalAddress();
        return address == null ? -1 : address.getPort();
    }

    public String host() {
        return settings.host();
    }

    /**
     * Null when a new anonymous client gets an answer from this directory within {@code timeout}; otherwise what is
     * wrong ("not answering within 3000 ms", "failing: ..."), for {@code /health}. See {@link DirectoryProbe}.
     */
    public String probe(Duration timeout) {
        if (rebuilding) {
            return "being rebuilt from the registry after damage: its LDAP ports are closed until it is done";
        }
        String failure = partitionFailure.get();
        if (failure != null) {
            return "failing: its partition threw " + failure + "; lookups are refused until it is rebuilt from the registry";
        }
        String host = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "127.0.0.1" : settings.host();
        return DirectoryProbe.problem(host, ldapPort(), settings.dit().suffix().toString(), timeout);
    }

    /** Connections open on both listeners, for tests. */
    int openConnections() {
        Listeners current = listeners;
        return current.ldap().getAcceptor().getManagedSessionCount()
                + (current.ldaps() == null ? 0 : current.ldaps().getAcceptor().getManagedSessionCount());
    }

    /** Response bytes queued for clients on both listeners and not yet sent, for tests. */
    long queuedResponseBytes() {
        long queued = 0;
        Listeners current = listeners;
        for (TcpTransport transport : current.ldaps() == null ? List.of(current.ldap()) : List.of(current.ldap(), current.ldaps())) {
            for (var session : transport.getAcceptor().getManagedSessions().values()) {
                queued += session.getScheduledWriteBytes();
            }
        }
        return queued;
    }

    public Dit dit() {
        return settings.dit();
    }

    /**
     * Stops accepting LDAP connections while the directory service keeps running: what an outage of the
     * directory looks like to clients and to the publisher. {@link #resumeListeners()} undoes it.
     */
    public void suspendListeners() {
        ldapPort();
        ldapsPort();
        listeners.server().stop();
        LOG.warn("directory listeners stopped");
    }

    public void resumeListeners() {
        try {
            listeners.server().start();
        } catch (Exception e) {
            throw new DirectoryStartException("LDAP listener cannot start again on " + settings.host() + ": " + e.getMessage(), e);
        }
        LOG.info("directory listeners started again");
    }

    /** Stops the listeners, then the service (flushing the partitions). */
    @Override
    public synchronized void close() {
        listeners.server().stop();
        shutdownQuietly(service);
        LOG.info("directory stopped");
    }

    private static void shutdownQuietly(DefaultDirectoryService service) {
        try {
            service.shutdown();
        } catch (Exception | Error e) {
            // Error: a damaged JDBM file fails its last sync with java.lang.Error (ERR_556 in use list not empty).
            if (e instanceof VirtualMachineError vm) {
                throw vm;
            }
            LOG.warn("directory did not shut down cleanly: {}", e.toString());
        }
    }

}
