package io.socialcrm.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Checks that every current schema can still read data written with each of its released versions
 * (BACKWARD_TRANSITIVE, the rule consumers of our topics rely on). Run by the build after
 * compilation; exits non-zero, naming the record and field, when a change would break them.
 *
 * <p>Layout: current schemas under {@code src/main/avro} (shared enums in {@code common/}, parsed
 * first); released versions as self-contained files {@code src/main/avro-released/<FullName>/v<N>.avsc}.
 * To release a version, copy the current schema's full text there (see the README).
 */
public final class SchemaCompatibilityCheck {

    private SchemaCompatibilityCheck() {
    }

    /** One way a current schema fails to read one released version. */
    public record Problem(String record, String releasedFile, String field, String message) {
        @Override
        public String toString() {
            return String.format("%s: cannot read data written with %s: field '%s': %s", record, releasedFile, field, message);
        }
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: SchemaCompatibilityCheck <current-schemas-dir> <released-schemas-dir>");
            System.exit(2);
        }
        List<Problem> problems = check(Path.of(args[0]), Path.of(args[1]));
        if (!problems.isEmpty()) {
            System.err.println("Schema compatibility check FAILED: " + problems.size() + " breaking change(s):");
            problems.forEach(p -> System.err.println("  - " + p));
            System.err.println("Keep changes BACKWARD compatible: add fields with defaults, add enum symbols "
                    + "(enums have a default), never remove or retype a field without a default.");
            System.exit(1);
        }
        System.out.println("Schema compatibility check passed.");
    }

    /** Every incompatibility between the current schemas and their released versions. */
    public static List<Problem> check(Path currentDir, Path releasedDir) {
        Map<String, Schema> current = parseCurrent(currentDir);
        List<Problem> problems = new ArrayList<>();
        if (!Files.isDirectory(releasedDir)) {
            return problems;
        }
        for (Path recordDir : list(releasedDir)) {
            if (!Files.isDirectory(recordDir)) {
                continue;
            }
            String fullName = recordDir.getFileName().toString();
            Schema reader = current.get(fullName);
            for (Path released : list(recordDir)) {
                if (!released.toString().endsWith(".avsc")) {
                    continue;
                }
                String releasedName = releasedDir.relativize(released).toString();
                if (reader == null) {
                    problems.add(new Problem(fullName, releasedName, "(record)",
                            "the record was released but no current schema defines it"));
                    continue;
                }
                Schema writer = parseFile(new Schema.Parser(), released);
                SchemaCompatibility.SchemaPairCompatibility result =
                        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
                for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
                    problems.add(new Problem(fullName, releasedName,
                            fieldPath(reader, incompatibility.getLocation()), describe(incompatibility)));
                }
            }
        }
        return problems;
    }

    /**
     * Parses every current schema. Files may refer to types defined in others: a file whose
     * references are not known yet is retried once the others are parsed.
     */
    public static Map<String, Schema> parseCurrent(Path currentDir) {
        List<Path> pending;
        try (Stream<Path> walk = Files.walk(currentDir)) {
            pending = new ArrayList<>(walk.filter(p -> p.toString().endsWith(".avsc")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Schema> byName = new LinkedHashMap<>();
        while (!pending.isEmpty()) {
            List<Path> unresolved = new ArrayList<>();
            RuntimeException lastError = null;
            for (Path file : pending) {
                Schema.Parser parser = new Schema.Parser();
                parser.addTypes(allNamedTypes(byName.values()));
                try {
                    Schema schema = parseFile(parser, file);
                    byName.put(schema.getFullName(), schema);
                } catch (IllegalArgumentException e) {
                    unresolved.add(file);
                    lastError = e;
                }
            }
            if (unresolved.size() == pending.size()) {
                throw lastError;
            }
            pending = unresolved;
        }
        return byName;
    }

    /** The schemas and every named type defined inside them. */
    private static List<Schema> allNamedTypes(java.util.Collection<Schema> schemas) {
        Map<String, Schema> named = new LinkedHashMap<>();
        schemas.forEach(s -> collectNamed(s, named));
        return new ArrayList<>(named.values());
    }

    private static void collectNamed(Schema schema, Map<String, Schema> named) {
        switch (schema.getType()) {
            case RECORD -> {
                if (named.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(f -> collectNamed(f.schema(), named));
                }
            }
            case ENUM, FIXED -> named.putIfAbsent(schema.getFullName(), schema);
            case ARRAY -> collectNamed(schema.getElementType(), named);
            case MAP -> collectNamed(schema.getValueType(), named);
            case UNION -> schema.getTypes().forEach(t -> collectNamed(t, named));
            default -> {
            }
        }
    }

    private static Schema parseFile(Schema.Parser parser, Path file) {
        try {
            return parser.parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid Avro schema in " + file + ": " + e.getMessage(), e);
        }
    }

    private static String describe(Incompatibility incompatibility) {
        return switch (incompatibility.getType()) {
            case READER_FIELD_MISSING_DEFAULT_VALUE -> "added without a default (" + incompatibility.getMessage() + ")";
            case TYPE_MISMATCH -> "type changed incompatibly (" + incompatibility.getMessage() + ")";
            case MISSING_ENUM_SYMBOLS -> "enum symbols removed with no enum default (" + incompatibility.getMessage() + ")";
            case MISSING_UNION_BRANCH -> "union lost a branch (" + incompatibility.getMessage() + ")";
            default -> incompatibility.getType() + ": " + incompatibility.getMessage();
        };
    }

    /**
     * Turns Avro's JSON-pointer location ({@code /fields/3/type/fields/0}) into a dotted field path
     * of the reader schema ({@code influence.raw}).
     */
    static String fieldPath(Schema reader, String location) {
        String[] parts = location.split("/");
        List<String> names = new ArrayList<>();
        Schema schema = reader;
        for (int i = 1; i < parts.length && schema != null; i++) {
            String part = parts[i];
            if ("fields".equals(part) && i + 1 < parts.length && schema.getType() == Schema.Type.RECORD) {
                int index = Integer.parseInt(parts[++i]);
                if (index >= schema.getFields().size()) {
                    break;
                }
                Schema.Field field = schema.getFields().get(index);
                names.add(field.name());
                schema = field.schema();
            } else if ("type".equals(part)) {
                continue;
            } else if ("items".equals(part) && schema.getType() == Schema.Type.ARRAY) {
                schema = schema.getElementType();
            } else if ("values".equals(part) && schema.getType() == Schema.Type.MAP) {
                schema = schema.getValueType();
            } else if (part.matches("\\d+") && schema.getType() == Schema.Type.UNION) {
                int index = Integer.parseInt(part);
                schema = index < schema.getTypes().size() ? schema.getTypes().get(index) : null;
            } else if ("symbols".equals(part) || "name".equals(part) || "size".equals(part)) {
                break;
            }
        }
        return names.isEmpty() ? "(record)" : String.join(".", names);
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
