package io.socialcrm.bench;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own for an application under test or measurement (the benchmark's applications, the
 * tests' killed and restarted instances, a Connect worker), with its output in a log file, its
 * memory readable, and the two ways an orchestrator ends a process: SIGTERM and SIGKILL.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    public final Path log;
    /** Ends the child with this JVM; removed once the child has ended. */
    private final Thread reaper;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
        // a child never outlives the JVM that started it: a benchmark or test that failed before stopping
        // its child left it running (a leaked application took a core for half an hour, 2026-12-04)
        this.reaper = new Thread(() -> {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }, "child-jvm-" + process.pid() + "-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Drops the reaper of a child that has ended (a test JVM starts and stops many). */
    private void forgetIfEnded() {
        if (!process.isAlive()) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // this JVM is ending: the hook runs, and finds the child ended
            }
        }
    }

    /**
     * The benchmark's way: {@code -Xmx heap}, {@code SOCIALCRM_BENCH_JAVA_OPTS}, this classpath, and
     * otherwise the JVM's defaults, those {@code socialcrm run} gets: the garbage collector too (G1 on
     * a machine of two cores or more; until December 2026 the benchmark chose the parallel collector,
     * whose full collections of 250–370 ms in a run were most of its p99 latency).
     */
    public static ChildJvm start(String heap, Path log, String mainClass, String... args) throws IOException {
        Builder builder = of(mainClass, args).heap(heap);
        // e.g. SOCIALCRM_BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=app.jfr" to profile what is measured
        String extra = System.getenv("SOCIALCRM_BENCH_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            builder.jvmOptions(extra.trim().split("\\s+"));
        }
        return builder.logTo(log).start();
    }

    /** A JVM running {@code mainClass} with {@code args}, on this JVM's classpath unless told otherwise. */
    public static Builder of(String mainClass, String... args) {
        return new Builder(mainClass, List.of(args));
    }

    /** What to start. */
    public static final class Builder {
        private final String mainClass;
        private final List<String> args;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String classpath = System.getProperty("java.class.path");
        private Path log;
        private boolean append;

        private Builder(String mainClass, List<String> args) {
            this.mainClass = mainClass;
            this.args = args;
        }

        public Builder heap(String size) {
            jvmOptions.add("-Xmx" + size);
            return this;
        }

        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        public Builder classpath(String path) {
            this.classpath = path;
            return this;
        }

        public Builder env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /** Standard output and error, to a new file. */
        public Builder logTo(Path file) {
            this.log = file;
            this.append = false;
            return this;
        }

        /** Standard output and error, after what the file holds (a restarted instance's log goes on). */
        public Builder appendLogTo(Path file) {
            this.log = file;
            this.append = true;
            return this;
        }

        public ChildJvm start() throws IOException {
            if (log == null) {
                throw new IllegalStateException("a child JVM needs a log file (logTo)");
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", classpath, mainClass));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(append ? Redirect.appendTo(log.toFile()) : Redirect.to(log.toFile()));
            builder.environment().putAll(env);
            return new ChildJvm(builder.start(), log);
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Peak resident set size (VmHWM) in bytes, or -1 where /proc is not available. */
    public long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * SIGTERM, as an orchestrator stops an application; its exit code once it ended within
     * {@code patience} (143 for an application that ends on the signal), else -1.
     */
    public int stop(Duration patience) throws InterruptedException {
        process.destroy();
        boolean ended = process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS);
        forgetIfEnded();
        return ended ? process.exitValue() : -1;
    }

    /** SIGKILL, a crash: no shutdown hook runs. Returns the exit code (137). */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + process.pid() + " outlived SIGKILL by 30 s");
        }
        forgetIfEnded();
        return process.exitValue();
    }

    /** SIGTERM; SIGKILL if it has not ended after 90 s. */
    @Override
    public void close() {
        try {
            if (stop(Duration.ofSeconds(90)) < 0) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
