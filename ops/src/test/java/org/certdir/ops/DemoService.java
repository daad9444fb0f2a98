package org.certdir.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One demo service for all the tests of a class, on free ports, in a data directory of its own:
 * {@code @RegisterExtension static final DemoService demo = new DemoService();}, then {@code demo.service()}
 * and {@code demo.data()}.
 */
final class DemoService implements BeforeAllCallback, AfterAllCallback {

    private Path data;
    private Service service;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        data = Files.createTempDirectory("certdir-" + context.getRequiredTestClass().getSimpleName());
        service = Service.start(TestServices.config(data, 100), true, Clock.systemUTC());
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
    EmptyService.Cli certdir(String... args) {
        return EmptyService.certdir(service, args);
    }

    /** A file of the demo PKI, {@code DATA/demo/<name>}. */
    Path demo(String name) {
        return data.resolve("demo").resolve(name);
    }
}
