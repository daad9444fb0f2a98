package org.certdir.ops.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** The top-level {@code certdir} command: every operation is one of its subcommands. */
@Command(name = "certdir",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Certificate directory and revocation service for an organisation's S/MIME PKI.",
        subcommands = {DemoCommand.class, ServeCommand.class, CertCommand.class, StatusCommands.Revoke.class, StatusCommands.Hold.class,
                StatusCommands.Release.class, StatusCommands.Status.class, CaCommand.class, TrustCommand.class, CrlCommand.class, OcspCommand.class, AuditCommand.class,
                DirectoryCommand.class, ProfileCommand.class},
        synopsisSubcommandLabel = "COMMAND")
public final class CertdirCommand implements Runnable {

    /** Returned by commands that keep serving after {@code main} returns; the JVM then ends on a signal. */
    public static final int KEEP_RUNNING = -1;

    final PrintWriter out;

    public CertdirCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void run() {
        out.println("certdir: give a command, e.g. 'certdir demo'; 'certdir --help' lists them all");
    }
}
