package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code certdir profile list}: the certificate profiles 'certdir cert issue --csr' issues with. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "The certificate profiles (built in, and certdir.profiles in the configuration).",
        subcommands = {ProfileCommand.ListProfiles.class})
final class ProfileCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir profile: give a subcommand: list ('certdir profile --help')");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the profiles and what their certificates look like.")
    static final class ListProfiles implements Callable<Integer> {

        @ParentCommand
        ProfileCommand parent;

        @Mixin
        AdminConnection admin;

        @Override
        public Integer call() {
            JsonArray profiles = admin.client().get("/admin/profiles").getJsonArray("profiles");
            var out = parent.parent.out;
            for (int i = 0; i < profiles.size(); i++) {
                JsonObject profile = profiles.getJsonObject(i);
                out.printf("%s%s%n", profile.getString("name"), profile.getBoolean("builtIn") ? " (built in)" : "");
                out.printf("  keys        %s%n", join(profile.getJsonArray("keyAlgorithms")));
                out.printf("  validity    %s (at most %s)%n", profile.getString("validity"), profile.getString("maxValidity"));
                out.printf("  key usage   %s%n", join(profile.getJsonArray("keyUsage")));
                out.printf("  ext. usage  %s%n", join(profile.getJsonArray("extendedKeyUsage")));
                JsonArray units = profile.getJsonArray("organizationalUnits");
                out.printf("  subject     O %s, OU %s, CN %s%n", profile.getString("organisation", "none"),
                        units.isEmpty() ? "none" : "one of " + join(units), "none".equals(profile.getString("commonName"))
                                ? "none" : "from the request (" + profile.getString("commonName") + ")");
                JsonArray domains = profile.getJsonArray("mailDomains");
                out.printf("  mail        at most %d, %s%n", profile.getInteger("maxMailAddresses"), domains.isEmpty() ? "any domain" : "in " + join(domains));
            }
            return 0;
        }

        private static String join(JsonArray values) {
            return String.join(", ", values.stream().map(String::valueOf).toList());
        }
    }
}
