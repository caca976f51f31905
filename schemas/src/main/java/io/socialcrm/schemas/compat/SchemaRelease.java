package io.socialcrm.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Records the current schema of every top-level record as a new released version, when it
 * differs from the latest released one: {@code <released-dir>/<FullName>/v<N>.avsc}, self-contained
 * (named types inlined). Run it when cutting a release; the build then holds later changes to them.
 */
public final class SchemaRelease {
    private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.avsc");

    private SchemaRelease() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SchemaRelease <current-schemas-dir> <released-schemas-dir>");
            System.exit(2);
        }
        Path currentDir = Path.of(args[0]);
        Path releasedDir = Path.of(args[1]);
        for (Map.Entry<String, Schema> entry : SchemaCompatibilityCheck.parseCurrent(currentDir).entrySet()) {
            Schema schema = entry.getValue();
            if (schema.getType() != Schema.Type.RECORD) {
                continue;
            }
            Path recordDir = releasedDir.resolve(entry.getKey());
            Optional<Path> latest = latest(recordDir);
            if (latest.isPresent() && new Schema.Parser().parse(latest.get().toFile()).equals(schema)) {
                continue;
            }
            int next = latest.map(p -> version(p) + 1).orElse(1);
            Files.createDirectories(recordDir);
            Path target = recordDir.resolve("v" + next + ".avsc");
            Files.writeString(target, schema.toString(true) + "\n", StandardCharsets.UTF_8);
            System.out.println("released " + target);
        }
    }

    private static Optional<Path> latest(Path recordDir) {
        if (!Files.isDirectory(recordDir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(recordDir)) {
            return files.filter(p -> VERSION.matcher(p.getFileName().toString()).matches())
                    .max((a, b) -> Integer.compare(version(a), version(b)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int version(Path file) {
        Matcher m = VERSION.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file.toString());
        }
        return Integer.parseInt(m.group(1));
    }
}
