package org.certdir.ops.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.certdir.directory.embedded.ClientLimits;
import org.certdir.ops.StartupFailure;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.schemas.Dit;

/**
 * The service's configuration. Its keys, defaults and meaning are documented in {@code reference.conf};
 * every problem in a file is reported at once, naming the key, the value and the rule.
 */
public record ServiceConfig(
        Path data,
        Ldap ldap,
        Http http,
        Admin admin,
        Crl crl,
        Demo demo,
        Ocsp ocsp,
        Trust trust,
        Health health,
        Mirror mirror,
        org.certdir.ops.profile.CertificateProfiles profiles) {

    /** Without {@code profiles}: the built-in ones. */
    public ServiceConfig(Path data, Ldap ldap, Http http, Admin admin, Crl crl, Demo demo, Ocsp ocsp, Trust trust, Health health, Mirror mirror) {
        this(data, ldap, http, admin, crl, demo, ocsp, trust, health, mirror, org.certdir.ops.profile.CertificateProfiles.builtIn());
    }

    /** Without {@code health} and {@code mirror}: their defaults. */
    public ServiceConfig(Path data, Ldap ldap, Http http, Admin admin, Crl crl, Demo demo, Ocsp ocsp, Trust trust) {
        this(data, ldap, http, admin, crl, demo, ocsp, trust, defaults().health(), defaults().mirror());
    }

    /** Without {@code mirror}: no CRL is fetched. */
    public ServiceConfig(Path data, Ldap ldap, Http http, Admin admin, Crl crl, Demo demo, Ocsp ocsp, Trust trust, Health health) {
        this(data, ldap, http, admin, crl, demo, ocsp, trust, health, defaults().mirror());
    }

    /**
     * The CRLs of CAs certdir does not hold, fetched from {@code cas}' own URLs: every fetch bounded by {@code maxSize}
     * bytes, {@code timeout} and {@code maxRedirects}.
     */
    public record Mirror(long maxSize, Duration timeout, int maxRedirects, List<org.certdir.crl.mirror.MirrorSource> cas) {
    }

    /** The same configuration with {@code mirror} in place of its own. */
    public ServiceConfig withMirror(Mirror mirror) {
        return new ServiceConfig(data, ldap, http, admin, crl, demo, ocsp, trust, health, mirror, profiles);
    }

    /** The same configuration with {@code profiles} in place of its own. */
    public ServiceConfig withProfiles(org.certdir.ops.profile.CertificateProfiles profiles) {
        return new ServiceConfig(data, ldap, http, admin, crl, demo, ocsp, trust, health, mirror, profiles);
    }

    /** {@code publicUrl}: the ldap:// URL clients reach the directory at (certdir.ldap.public-url), null for the listener's. */
    public record Ldap(String host, int port, int ldapsPort, Dit dit, int sizeLimit, Duration timeLimit,
                       int maxPduSize, int requestThreads, int entryCache, ClientLimits clientLimits, URI publicUrl) {

        /** With the default {@link ClientLimits}. */
        public Ldap(String host, int port, int ldapsPort, Dit dit, int sizeLimit, Duration timeLimit, int maxPduSize, int requestThreads,
                    int entryCache) {
            this(host, port, ldapsPort, dit, sizeLimit, timeLimit, maxPduSize, requestThreads, entryCache, ClientLimits.DEFAULTS);
        }

        /** Clients reach the directory where it listens. */
        public Ldap(String host, int port, int ldapsPort, Dit dit, int sizeLimit, Duration timeLimit, int maxPduSize, int requestThreads,
                    int entryCache, ClientLimits clientLimits) {
            this(host, port, ldapsPort, dit, sizeLimit, timeLimit, maxPduSize, requestThreads, entryCache, clientLimits, null);
        }

        /** The host written into the LDAP URLs of issued certificates. */
        public String publicHost() {
            return publicUrl == null ? host : publicUrl.getHost();
        }

        /** The port written into those URLs: public-url's (389 when it names none), else the listener's. */
        public int publicPort() {
            return publicUrl == null ? port : publicUrl.getPort() < 0 ? 389 : publicUrl.getPort();
        }
    }

    /** {@code maxConnectionsPerAddress} bounds the open connections of one client address, on this and the admin listener. */
    public record Http(String host, int port, String baseUrl, int maxConnectionsPerAddress) {
    }

    public record Admin(String host, int port) {
    }

    public record Demo(KeyAlgorithm keyAlgorithm, String organisation) {
    }

    public record Crl(Duration fullValidity, Duration fullPeriod, boolean deltas, Duration deltaValidity, Duration deltaPeriod,
                      Duration debounce, Duration fullOnChangeWithin, Duration staleMargin, List<Point> points) {
    }

    /**
     * One distribution point: {@code target}, {@code user}, {@code passwordFile} and {@code trustFile} as its type
     * needs them. An {@code ldap} point without a target is the embedded directory; with one, an external server
     * ({@code ldap://host:port/suffix}, bound as {@code user}).
     */
    public record Point(String name, String type, String target, String user, Path passwordFile, Path trustFile) {

        public Point(String name, String type, String target) {
            this(name, type, target, null, null, null);
        }
    }

    /**
     * The OCSP responder: {@code delegatedSigner} false signs with the CA key itself; {@code validity} is a
     * response's nextUpdate − thisUpdate.
     */
    public record Ocsp(boolean delegatedSigner, Duration signerValidity, Duration signerRenewBefore, Duration validity,
                       boolean unknownAsRevoked, long cacheBytes, int signingThreads, int signingQueue) {
    }

    /** The trust list: {@code signer} names the CA whose key signs {@code trust-list.p7s}; null for our root. */
    public record Trust(String signer) {
    }

    /** {@code /health}: degraded when the data directory's file system has less than {@code minFreeSpace} bytes free. */
    public record Health(long minFreeSpace) {
    }

    private static final List<String> POINT_TYPES = List.of("file", "ldap", "http", "webdav");

    /** The defaults alone. */
    public static ServiceConfig defaults() {
        return from(ConfigFactory.defaultReference(), "built-in defaults");
    }

    /** Reads {@code file} over the defaults; a missing or unparsable file is a {@link StartupFailure}. */
    public static ServiceConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new StartupFailure("config file " + file + " does not exist or is not a file");
        }
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new StartupFailure("config file " + file + " cannot be parsed: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        Config reference = ConfigFactory.defaultReference();
        for (Map.Entry<String, ConfigValue> entry : parsed.entrySet()) {
            // The admin's profiles are checked field by field where they are read (ProfileConfig).
            if (!reference.hasPath(entry.getKey()) && !entry.getKey().startsWith("certdir.profiles.")) {
                problems.add(entry.getKey() + " is not a certdir setting (line " + entry.getValue().origin().lineNumber()
                        + "; reference.conf lists them all)");
            }
        }
        Config merged;
        try {
            merged = parsed.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new StartupFailure("config file " + file + " cannot be resolved: " + e.getMessage());
        }
        return from(merged, "config file " + file, problems);
    }

    private static ServiceConfig from(Config config, String source) {
        return from(config, source, new ArrayList<>());
    }

    private static ServiceConfig from(Config config, String source, List<String> problems) {
        Reader read = new Reader(config.getConfig("certdir"), problems);
        ServiceConfig result = new ServiceConfig(
                read.value("data", c -> Path.of(c.getString("data"))),
                new Ldap(
                        read.value("ldap.host", c -> c.getString("ldap.host")),
                        read.port("ldap.port", false),
                        read.port("ldap.ldaps-port", true),
                        read.value("ldap.suffix", c -> Dit.of(c.getString("ldap.suffix"))),
                        read.positive("ldap.size-limit", c -> c.getInt("ldap.size-limit")),
                        read.value("ldap.time-limit", c -> positive(c.getDuration("ldap.time-limit"))),
                        read.positive("ldap.max-pdu-size", c -> Math.toIntExact(c.getBytes("ldap.max-pdu-size"))),
                        read.positive("ldap.request-threads", c -> c.getInt("ldap.request-threads")),
                        read.positive("ldap.entry-cache", c -> c.getInt("ldap.entry-cache")),
                        clientLimits(read),
                        read.value("ldap.public-url", c -> ldapPublicUrl(c.getString("ldap.public-url"), c.getString("ldap.host")))),
                new Http(
                        read.value("http.host", c -> c.getString("http.host")),
                        read.port("http.port", false),
                        read.value("http.base-url", c -> baseUrl(c.getString("http.base-url"))),
                        read.positive("http.max-connections-per-address", c -> c.getInt("http.max-connections-per-address"))),
                new Admin(
                        read.value("admin.host", c -> c.getString("admin.host")),
                        read.port("admin.port", false)),
                new Crl(
                        read.value("crl.full-validity", c -> positive(c.getDuration("crl.full-validity"))),
                        read.value("crl.full-period", c -> positive(c.getDuration("crl.full-period"))),
                        Boolean.TRUE.equals(read.value("crl.deltas", c -> c.getBoolean("crl.deltas"))),
                        read.value("crl.delta-validity", c -> positive(c.getDuration("crl.delta-validity"))),
                        read.value("crl.delta-period", c -> positive(c.getDuration("crl.delta-period"))),
                        read.value("crl.debounce", c -> c.getDuration("crl.debounce")),
                        read.value("crl.full-on-change-within", c -> c.getDuration("crl.full-on-change-within")),
                        read.value("crl.stale-margin", c -> c.getDuration("crl.stale-margin")),
                        read.value("crl.points", ServiceConfig::points)),
                new Demo(
                        read.value("demo.key-algorithm", c -> KeyAlgorithm.parse(c.getString("demo.key-algorithm"))),
                        read.value("demo.organisation", c -> c.getString("demo.organisation"))),
                new Ocsp(
                        "delegated".equals(read.value("ocsp.signer", c -> oneOf(c.getString("ocsp.signer"), "delegated", "ca"))),
                        read.value("ocsp.signer-validity", c -> positive(c.getDuration("ocsp.signer-validity"))),
                        read.value("ocsp.signer-renew-before", c -> positive(c.getDuration("ocsp.signer-renew-before"))),
                        read.value("ocsp.validity", c -> atLeast(c.getDuration("ocsp.validity"), Duration.ofMinutes(1))),
                        "revoked".equals(read.value("ocsp.unknown-serials", c -> oneOf(c.getString("ocsp.unknown-serials"), "unknown", "revoked"))),
                        read.value("ocsp.cache-size", c -> c.getBytes("ocsp.cache-size")),
                        read.positive("ocsp.signing-threads", c -> c.getInt("ocsp.signing-threads")),
                        read.positive("ocsp.signing-queue", c -> c.getInt("ocsp.signing-queue"))),
                new Trust(read.value("trust.signer", c -> c.getString("trust.signer").isBlank() ? null
                        : new org.certdir.registry.CaName(c.getString("trust.signer")).value())),
                new Health(read.value("health.min-free-space", c -> notNegative(c.getBytes("health.min-free-space")))),
                new Mirror(
                        java.util.Objects.requireNonNullElse(read.value("crl.mirror.max-size", c -> positiveBytes(c.getBytes("crl.mirror.max-size"))), 1L),
                        read.value("crl.mirror.timeout", c -> positive(c.getDuration("crl.mirror.timeout"))),
                        java.util.Objects.requireNonNullElse(read.value("crl.mirror.max-redirects", c -> notNegative(c.getInt("crl.mirror.max-redirects"))), 0),
                        read.value("crl.mirror.cas", ServiceConfig::mirrorSources)),
                org.certdir.ops.profile.ProfileConfig.read(config.getConfig("certdir"), problems));
        if (result.ocsp().signerValidity() != null && result.ocsp().signerRenewBefore() != null
                && result.ocsp().signerRenewBefore().compareTo(result.ocsp().signerValidity()) >= 0) {
            read.problems.add("certdir.ocsp.signer-renew-before must be shorter than certdir.ocsp.signer-validity: "
                    + result.ocsp().signerRenewBefore() + " !< " + result.ocsp().signerValidity());
        }
        if (!read.problems.isEmpty()) {
            throw new StartupFailure(source + ": " + String.join("; ", read.problems));
        }
        return result;
    }

    public ServiceConfig withData(Path dataDirectory) {
        return new ServiceConfig(dataDirectory, ldap, http, admin, crl, demo, ocsp, trust, health, mirror, profiles);
    }

    private static List<org.certdir.crl.mirror.MirrorSource> mirrorSources(Config config) {
        List<org.certdir.crl.mirror.MirrorSource> sources = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        List<? extends Config> list = config.getConfigList("crl.mirror.cas");
        for (int i = 0; i < list.size(); i++) {
            Config entry = list.get(i);
            String name = entry.hasPath("ca") ? entry.getString("ca") : null;
            if (name == null) {
                throw new IllegalArgumentException("entry " + (i + 1) + " needs ca, the name of a CA certdir does not hold ('certdir ca list')");
            }
            org.certdir.registry.CaName ca = new org.certdir.registry.CaName(name);
            if (!names.add(ca.value())) {
                throw new IllegalArgumentException("CA " + ca + " is listed twice");
            }
            List<String> texts = entry.hasPath("urls") ? entry.getStringList("urls") : List.of();
            Path drop = null;
            if (entry.hasPath("drop")) {
                drop = Path.of(entry.getString("drop"));
                if (!drop.isAbsolute()) {
                    throw new IllegalArgumentException("CA " + ca + ": drop '" + drop + "' must be an absolute path (the directory the CA writes its CRLs into)");
                }
            }
            if (texts.isEmpty() && drop == null) {
                throw new IllegalArgumentException("CA " + ca + " needs urls (its own CRL distribution points, full and delta) or drop"
                        + " (a directory the CA writes its CRLs into), or both");
            }
            List<URI> urls = new ArrayList<>();
            for (String text : texts) {
                URI url;
                try {
                    url = URI.create(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("CA " + ca + ": '" + text + "' is not a URL");
                }
                if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                    throw new IllegalArgumentException("CA " + ca + ": '" + text + "' must be an http:// or https:// URL with a host");
                }
                urls.add(url);
            }
            Duration interval = entry.hasPath("interval") ? positive(entry.getDuration("interval")) : Duration.ofMinutes(15);
            sources.add(new org.certdir.crl.mirror.MirrorSource(ca, urls, drop, interval));
        }
        return List.copyOf(sources);
    }

    private static long positiveBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("must be greater than 0, was " + bytes);
        }
        return bytes;
    }

    private static int notNegative(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("must not be negative, was " + value);
        }
        return value;
    }

    private static List<Point> points(Config config) {
        List<Point> points = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        List<? extends Config> list = config.getConfigList("crl.points");
        for (int i = 0; i < list.size(); i++) {
            Config point = list.get(i);
            String where = "point " + (i + 1);
            String name = point.hasPath("name") ? point.getString("name") : null;
            String type = point.hasPath("type") ? point.getString("type") : null;
            if (name == null || !name.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException(where + " needs a name of a-z, 0-9 and '-', was " + name);
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("two points are named " + name);
            }
            if (!POINT_TYPES.contains(type)) {
                throw new IllegalArgumentException("point " + name + ": type " + type + " is not one of " + String.join(", ", POINT_TYPES));
            }
            String target = point.hasPath("target") ? point.getString("target") : null;
            if ((type.equals("file") || type.equals("webdav")) && target == null) {
                throw new IllegalArgumentException("point " + name + " of type " + type + " needs a target");
            }
            if (type.equals("webdav") && !(target.startsWith("http://") || target.startsWith("https://"))) {
                throw new IllegalArgumentException("point " + name + ": target " + target + " must be an http:// or https:// URL");
            }
            String user = point.hasPath("user") ? point.getString("user") : null;
            Path passwordFile = point.hasPath("password-file") ? Path.of(point.getString("password-file")) : null;
            if (type.equals("ldap") && target != null) {
                checkExternalDirectory(name, target, user, passwordFile);
            }
            points.add(new Point(name, type, target, user, passwordFile, point.hasPath("trust-file") ? Path.of(point.getString("trust-file")) : null));
        }
        return List.copyOf(points);
    }

    private static void checkExternalDirectory(String name, String target, String user, Path passwordFile) {
        com.unboundid.ldap.sdk.LDAPURL url;
        try {
            url = new com.unboundid.ldap.sdk.LDAPURL(target);
        } catch (com.unboundid.ldap.sdk.LDAPException e) {
            throw new IllegalArgumentException("point " + name + ": target " + target + " is not an LDAP URL (ldap://host:port/suffix): "
                    + e.getExceptionMessage());
        }
        if (!url.getScheme().equals("ldap") && !url.getScheme().equals("ldaps")) {
            throw new IllegalArgumentException("point " + name + ": target " + target + " must be an ldap:// or ldaps:// URL");
        }
        if (url.getBaseDN().isNullDN()) {
            throw new IllegalArgumentException("point " + name + ": target " + target + " needs the directory's suffix as its DN, e.g. ldap://"
                    + url.getHost() + ":" + url.getPort() + "/dc=example,dc=com");
        }
        if (user == null || passwordFile == null) {
            throw new IllegalArgumentException("point " + name + ": an external directory needs user (the bind DN) and password-file");
        }
    }

    /** The LDAP client limits; the defaults when a key is wrong (the problem is reported, and start-up stops). */
    private static ClientLimits clientLimits(Reader read) {
        int depth = read.positive("ldap.max-filter-depth", c -> c.getInt("ldap.max-filter-depth"));
        Long queued = read.value("ldap.max-queued-bytes", c -> {
            long bytes = c.getBytes("ldap.max-queued-bytes");
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("must be at least 64 KiB (a search answer must fit), was " + bytes);
            }
            return bytes;
        });
        int perAddress = read.positive("ldap.max-connections-per-address", c -> c.getInt("ldap.max-connections-per-address"));
        Long anonymous = read.value("ldap.max-anonymous-request-size", c -> {
            long bytes = c.getBytes("ldap.max-anonymous-request-size");
            if (bytes < 4096) {
                throw new IllegalArgumentException("must be at least 4 KiB (a mail client's lookup must fit), was " + bytes);
            }
            return bytes;
        });
        java.time.Duration idle = read.value("ldap.idle-timeout", c -> {
            java.time.Duration timeout = c.getDuration("ldap.idle-timeout");
            if (timeout.toSeconds() < 1) {
                throw new IllegalArgumentException("must be at least 1 s, was " + timeout);
            }
            return timeout;
        });
        if (depth <= 0 || queued == null || perAddress <= 0 || anonymous == null || idle == null) {
            return ClientLimits.DEFAULTS;
        }
        return new ClientLimits(depth, queued, perAddress, anonymous, idle);
    }

    private static final class Reader {
        private final Config config;
        private final List<String> problems;

        Reader(Config config, List<String> problems) {
            this.config = config;
            this.problems = problems;
        }

        <T> T value(String key, Function<Config, T> parse) {
            try {
                return parse.apply(config);
            } catch (ConfigException e) {
                problems.add("certdir." + key + ": " + e.getMessage().replaceFirst("^.*?: ", ""));
            } catch (IllegalArgumentException | ArithmeticException e) {
                problems.add("certdir." + key + ": " + e.getMessage());
            }
            return null;
        }

        int positive(String key, Function<Config, Integer> parse) {
            Integer value = value(key, parse);
            if (value != null && value <= 0) {
                problems.add("certdir." + key + " must be greater than 0, was " + value);
            }
            return value == null ? 0 : value;
        }

        int port(String key, boolean zeroAllowed) {
            Integer value = value(key, c -> c.getInt(key));
            if (value != null && (value < (zeroAllowed ? 0 : 1) || value > 65535)) {
                problems.add("certdir." + key + " must be a port number between " + (zeroAllowed ? 0 : 1) + " and 65535, was " + value);
            }
            return value == null ? 0 : value;
        }
    }

    private static String oneOf(String value, String... allowed) {
        if (!List.of(allowed).contains(value)) {
            throw new IllegalArgumentException("'" + value + "' is not one of " + String.join(", ", allowed));
        }
        return value;
    }

    private static Duration atLeast(Duration duration, Duration minimum) {
        if (duration.compareTo(minimum) < 0) {
            throw new IllegalArgumentException("must be at least " + minimum + ", was " + duration);
        }
        return duration;
    }

    private static long notNegative(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("must not be negative, was " + bytes);
        }
        return bytes;
    }

    private static Duration positive(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("must be longer than 0, was " + duration);
        }
        return duration;
    }

    /** certdir.ldap.public-url: null when empty (the listener's address is reachable as it is), else a bare ldap:// URL. */
    private static URI ldapPublicUrl(String text, String host) {
        if (text.isBlank()) {
            if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isBlank()) {
                throw new IllegalArgumentException("empty while certdir.ldap.host '" + host + "' listens on every address: the LDAP URL"
                        + " written into certificates needs the name clients reach; set it, e.g. \"ldap://pki.example.com:10389\"");
            }
            return null;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL");
        }
        if (!"ldap".equals(uri.getScheme()) || uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()
                && !uri.getRawPath().equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + text + "' must be ldap://host or ldap://host:port, nothing after the port (clients"
                    + " fetch CRLs from it anonymously over plain LDAP)");
        }
        return uri;
    }

    private static String baseUrl(String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL");
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            // RFC 5280 §4.2.1.13 / RFC 6960: relying parties fetch CRLs and ask OCSP over plain http.
            throw new IllegalArgumentException("'" + text + "' must be an http:// URL with a host (clients fetch CRLs and OCSP over plain HTTP)");
        }
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }
}
