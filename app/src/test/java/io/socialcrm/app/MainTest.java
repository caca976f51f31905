package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: help, version, and errors a user can act on (without a broker; with one: {@link MainIT}). */
class MainTest {

    /** Exit code and what the command printed. */
    record Outcome(int code, String out, String err) {
    }

    static Outcome run(String... args) {
        return run(new ByteArrayOutputStream(), new ByteArrayOutputStream(), args);
    }

    /**
     * A command running in a thread of its own, whose output so far can be read while it runs (for a test that waits in
     * vain), and which a failing test stops: a command left running would go on using the machine, and the standard
     * streams it took over, in the tests after it.
     */
    record Running(CompletableFuture<Outcome> outcome, ByteArrayOutputStream out, ByteArrayOutputStream err, Thread thread) {
        String printedSoFar() {
            return "standard output so far:\n" + out.toString(StandardCharsets.UTF_8) + "\nstandard error so far:\n"
                    + err.toString(StandardCharsets.UTF_8);
        }

        /** Interrupts the command (it stops as after Ctrl-C) and waits up to a minute for it to end. */
        void stop() {
            thread.interrupt();
            try {
                thread.join(Duration.ofMinutes(1).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Running start(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                outcome.complete(run(out, err, args));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        }, "socialcrm " + args[0]);
        thread.setDaemon(true);
        thread.start();
        return new Running(outcome, out, err, thread);
    }

    private static Outcome run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void versionNamesTheProjectAndKafka() {
        Outcome o = run("--version");
        assertEquals(0, o.code());
        assertTrue(o.out().matches("(?s)socialcrm \\S+ \\(Kafka 4\\.\\d+\\.\\d+, Java .*"), o.out());
    }

    @Test
    void everyCommandHasHelp() {
        List<String> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), "", commands);
        assertTrue(commands.containsAll(List.of("demo", "replay", "run", "topics create", "health", "bench")), commands.toString());
        for (String command : commands) {
            String[] args = (command + " --help").split(" ");
            Outcome o = run(args);
            assertEquals(0, o.code(), command);
            assertTrue(o.out().startsWith("Usage: socialcrm " + command), command + ": " + o.out());
            assertTrue(o.out().lines().count() > 2, command + " describes itself: " + o.out());
        }
    }

    /** Every command and subcommand the command line declares, as typed ("topics create"). */
    private static void collect(CommandLine parent, String prefix, List<String> into) {
        parent.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommand() instanceof CommandLine.HelpCommand || !name.equals(sub.getCommandName())) {
                return; // 'help' itself, and aliases
            }
            into.add(prefix + name);
            collect(sub, prefix + name + " ", into);
        });
    }

    @Test
    void anUnknownSettingIsRefusedWithASuggestion(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "bootstrap.servers=localhost:9092\ninfluence.halflif=14d\n");
        Outcome o = run("topics", "describe", "--config", file.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("Unknown setting 'influence.halflif'") && o.err().contains("did you mean 'influence.halflife'"),
                o.err());
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Outcome o = run("topics", "describe", "--config", "/no/such/app.properties");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("/no/such/app.properties"), o.err());
    }

    @Test
    void runFailsFastNamingTheMissingSetting() {
        Outcome o = run("run");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("Missing setting 'bootstrap.servers'") && o.err().contains("SOCIALCRM_BOOTSTRAP_SERVERS"), o.err());
    }

    /** A bad --set fails before the minutes the pass-through takes, naming the option and the setting. */
    @Test
    void benchChecksItsSettingsBeforeItStarts() {
        Outcome o = run("bench", "--set", "statestore.cache.max.bytes=64MB");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--set") && o.err().contains("statestore.cache.max.bytes"), o.err());
        Outcome typo = run("bench", "--set", "influence.halflif=14d");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("influence.halflif"), typo.err());
    }
}
