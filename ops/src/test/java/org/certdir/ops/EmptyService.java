package org.certdir.ops;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One service without the demo PKI, as {@code certdir serve} starts on an empty data directory, for all the tests of a
 * class: its base URL is its own listener ({@link TestServices#reachableConfig}), so clients can follow the URLs in the
 * certificates of the CAs the tests create. {@link #certdir} runs a CLI command against it as an admin types it.
 */
final class EmptyService implements BeforeAllCallback, AfterAllCallback {

    /** What a CLI command printed and its exit code. */
    record Cli(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private final java.util.function.UnaryOperator<org.certdir.ops.config.ServiceConfig> configure;
    private Path data;
    private Service service;

    EmptyService() {
        this(config -> config);
    }

    /** With {@code configure} applied to the test configuration (e.g. a CRL mirror's URLs). */
    EmptyService(java.util.function.UnaryOperator<org.certdir.ops.config.ServiceConfig> configure) {
        this.configure = configure;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        data = Files.createTempDirectory("certdir-" + context.getRequiredTestClass().getSimpleName());
        service = Service.start(configure.apply(TestServices.reachableConfig(data)), false, Clock.systemUTC());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (service != null) {
            service.close();
        }
        TestServices.deleteTree(data);
    }

    Service service() {
        return service;
    }

    Path data() {
        return data;
    }

    /** {@code certdir ARGS --url ADMIN --token-file TOKEN}, in this JVM. */
    Cli certdir(String... args) {
        return certdir(service, args);
    }

    /** {@code certdir ARGS} against {@code service}'s admin API, in this JVM. */
    static Cli certdir(Service service, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", service.adminUrl(), "--token-file", service.data().adminToken().toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }
}
