package org.certdir.ops;

import java.io.PrintWriter;
import org.certdir.ops.cli.CertdirCommand;
import picocli.CommandLine;

/** Entry point of the {@code certdir} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (code != CertdirCommand.KEEP_RUNNING) {
            System.exit(code);
        }
    }

    /** Runs one command; returns its exit code. Errors are one line on {@code err}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new CertdirCommand(out));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine command = ex.getCommandLine();
            String message = ex instanceof CommandLine.UnmatchedArgumentException unmatched && unknown(command, unmatched.getUnmatched()) != null
                    ? unknown(command, unmatched.getUnmatched()) : ex.getMessage();
            err.println("certdir: " + message + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        // With --help, picocli prints the help of the last known command and ignores words it did not match: 'certdir
        // nosuch --help' would show the top-level help and exit 0, as if nosuch existed.
        commandLine.setExecutionStrategy(parseResult -> {
            CommandLine.ParseResult last = parseResult;
            while (last.hasSubcommand()) {
                last = last.subcommand();
            }
            if (!last.unmatched().isEmpty()) {
                CommandLine command = last.commandSpec().commandLine();
                String message = unknown(command, last.unmatched());
                err.println("certdir: " + (message != null ? message : "unmatched argument '" + String.join("' '", last.unmatched()) + "'")
                        + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
                return 2;
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        commandLine.setExecutionExceptionHandler((ex, command, parseResult) -> {
            err.println("certdir: " + oneLine(ex));
            return 1;
        });
        return commandLine.execute(args);
    }

    /** "unknown command 'x'" where {@code command} takes subcommands and x is not an option; null otherwise. */
    private static String unknown(CommandLine command, java.util.List<String> unmatched) {
        if (!command.getSubcommands().isEmpty() && !unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
            return "unknown command '" + unmatched.get(0) + "'";
        }
        return null;
    }

    /** The message a user can act on: ours as they are, anything unexpected with its type and the log to read. */
    static String oneLine(Throwable e) {
        if (e instanceof StartupFailure || e instanceof IllegalArgumentException || e instanceof CliFailure) {
            return e.getMessage();
        }
        return "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage() + " (the log above has the details)";
    }
}
