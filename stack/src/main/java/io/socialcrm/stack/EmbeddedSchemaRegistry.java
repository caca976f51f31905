package io.socialcrm.stack;

import io.socialcrm.config.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry for the local stack: Apicurio Registry 2.6 (from Maven Central), run as
 * a child JVM bound to 127.0.0.1, in memory, serving the Confluent API at
 * {@code /apis/ccompat/v7}. On POSIX systems a small shell supervisor stops it when this JVM
 * dies, even by {@code kill -9}, so no registry process outlives the stack.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    /** Property or environment variable naming the folder that holds the unpacked Apicurio distribution. */
    public static final String HOME_PROPERTY = "socialcrm.apicurio.home";

    private final Process process;
    private final int port;
    private final Path logFile;
    private volatile boolean closed;

    private EmbeddedSchemaRegistry(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /** Starts the registry and returns when its Confluent API answers. */
    public static EmbeddedSchemaRegistry start(Path workDir, Duration timeout) {
        EmbeddedSchemaRegistry registry = launch(workDir);
        try {
            registry.awaitReady(timeout);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /**
     * Starts the registry's process and returns at once, its address known; {@link #awaitReady}
     * waits until it answers (so that a caller can start other things meanwhile).
     */
    public static EmbeddedSchemaRegistry launch(Path workDir) {
        Path runner = locateRunnerJar();
        int port = FreePorts.next();
        Path logFile = workDir.resolve("schema-registry.log");
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.level=WARN",
                "-Dquarkus.log.console.color=false",
                "-Dregistry.ccompat.use-canonical-hash=true",
                "-jar", runner.toString()));
        ProcessBuilder builder = new ProcessBuilder(supervised(java))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new StackException("Cannot start the schema registry (" + runner + ")", e);
        }
        return new EmbeddedSchemaRegistry(process, port, logFile);
    }

    /** The Confluent-compatible base URL, for {@code schema.registry.url}. */
    public String url() {
        return "http://127.0.0.1:" + port + CCOMPAT_PATH;
    }

    public long pid() {
        return process.pid();
    }

    /** Blocks until the registry answers its Confluent API, or throws if it exits or the timeout passes. */
    public void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url() + "/subjects")).timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new StackException("The schema registry exited with code " + process.exitValue()
                        + " before it was ready; its log ends with:\n" + tail(logFile));
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("Interrupted while waiting for the schema registry");
            }
            sleep(100);
        }
        throw new StackException("The schema registry did not answer at " + url() + " within " + timeout.toSeconds()
                + " s; its log ends with:\n" + tail(logFile));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("Schema registry did not stop within 10 s; killing it");
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /**
     * Wraps the command in a shell that forwards SIGTERM to it and kills it when this JVM is gone,
     * so that the registry never outlives the stack.
     */
    private static List<String> supervised(List<String> command) {
        boolean posix = !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
                && Files.isExecutable(Path.of("/bin/sh"));
        if (!posix) {
            return command;
        }
        StringBuilder quoted = new StringBuilder();
        for (String arg : command) {
            quoted.append('\'').append(arg.replace("'", "'\\''")).append("' ");
        }
        String script = quoted + "& child=$!\n"
                + "trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT\n"
                + "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1 & wait $!; done\n"
                + "kill $child 2>/dev/null; wait $child\n";
        return List.of("/bin/sh", "-c", script);
    }

    /**
     * Finds {@code apicurio-registry-app-<version>-runner.jar}: in the folder named by
     * {@value #HOME_PROPERTY}, next to this code (the build unpacks it into {@code app/target/apicurio}),
     * or else unpacked on first use from the Maven repository into {@code ~/.cache/socialcrm}.
     */
    static Path locateRunnerJar() {
        String version = BuildInfo.apicurioVersion();
        String runnerName = "apicurio-registry-app-" + version + "-runner.jar";
        List<Path> candidates = new ArrayList<>();
        String home = System.getProperty(HOME_PROPERTY, System.getenv("SOCIALCRM_APICURIO_HOME"));
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home));
        }
        Path codeDir = StackFiles.codeFolder(EmbeddedSchemaRegistry.class);
        if (codeDir != null) {
            candidates.add(codeDir.resolve("apicurio"));
        }
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "socialcrm", "apicurio-" + version);
        candidates.add(cache);
        for (Path dir : candidates) {
            if (Files.isRegularFile(dir.resolve(runnerName))) {
                return dir.resolve(runnerName);
            }
        }
        Path zip = Path.of(System.getProperty("maven.repo.local",
                        Path.of(System.getProperty("user.home"), ".m2", "repository").toString()))
                .resolve(Path.of("io", "apicurio", "apicurio-registry-app", version,
                        "apicurio-registry-app-" + version + "-all.zip"));
        if (Files.isRegularFile(zip)) {
            unzip(zip, cache);
            if (Files.isRegularFile(cache.resolve(runnerName))) {
                return cache.resolve(runnerName);
            }
        }
        throw new StackException("The embedded schema registry (Apicurio Registry " + version + ") is not installed. "
                + "Build the project once (mvn -DskipTests package, or ./socialcrm), set -D" + HOME_PROPERTY
                + " to a folder with " + runnerName + ", or use --registry mock for the in-process registry. Looked in: "
                + candidates + " and " + zip);
    }

    private static void unzip(Path zip, Path target) {
        LOG.info("Unpacking the schema registry distribution into {}", target);
        Path staging = target.resolveSibling(target.getFileName() + ".partial");
        StackFiles.deleteRecursively(staging);
        try (InputStream in = Files.newInputStream(zip); ZipInputStream zin = new ZipInputStream(in)) {
            Files.createDirectories(staging);
            ZipEntry entry;
            while ((entry = zin.getNextEntry()) != null) {
                Path out = staging.resolve(entry.getName()).normalize();
                if (!out.startsWith(staging)) {
                    throw new StackException("Refusing a zip entry outside the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(zin, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            StackFiles.deleteRecursively(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            StackFiles.deleteRecursively(staging);
            throw new StackException("Cannot unpack " + zip + " into " + target, e);
        }
    }

    private static String tail(Path file) {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            List<String> all = lines.toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
