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
            err.println("certdir: " + ex.getMessage() + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((ex, command, parseResult) -> {
            err.println("certdir: " + oneLine(ex));
            return 1;
        });
        return commandLine.execute(args);
    }

    /** The message a user can act on: ours as they are, anything unexpected with its type and the log to read. */
    static String oneLine(Throwable e) {
        if (e instanceof StartupFailure || e instanceof IllegalArgumentException || e instanceof CliFailure) {
            return e.getMessage();
        }
        return "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage() + " (the log above has the details)";
    }
}
