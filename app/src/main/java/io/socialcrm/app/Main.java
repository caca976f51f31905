package io.socialcrm.app;

import io.socialcrm.config.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code socialcrm} command line. */
@Command(name = "socialcrm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Consent-first Social CRM analytics on Kafka Streams: influence, context and segments per customer.",
        subcommands = {
                DemoCommand.class,
                ReplayCommand.class,
                RunCommand.class,
                TopicsCommand.class,
                HealthCommand.class,
                BenchCommand.class,
                EvaluateCommand.class,
                CommandLine.HelpCommand.class
        },
        footer = {"", "Run 'socialcrm <command> --help' for a command's options. Docs: README.md"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Java versions the dependencies run on (Apache DataSketches 6 checks for 8, 11, 17 or 21). */
    static final java.util.Set<Integer> SUPPORTED_JAVA = java.util.Set.of(17, 21);

    /** Runs the command line and returns its exit code (for tests and embedding). */
    public static int execute(String... args) {
        int java = Runtime.version().feature();
        if (!SUPPORTED_JAVA.contains(java)) {
            System.err.println("socialcrm runs on Java 17 or 21 (found Java " + java + "): Apache DataSketches 6, "
                    + "which computes the influence ranks, supports only those LTS versions. Set JAVA_HOME to a JDK 17 or 21.");
            return 2;
        }
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new ErrorReporter());
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Prints the version of socialcrm and of the Kafka it runs on. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"socialcrm " + BuildInfo.version() + " (Kafka " + BuildInfo.kafkaVersion()
                    + ", Java " + Runtime.version() + ")"};
        }
    }
}
