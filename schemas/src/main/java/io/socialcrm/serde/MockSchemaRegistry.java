package io.socialcrm.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * An in-process registry for {@code schema.registry.url=mock://<scope>}: every client of one
 * scope in this JVM shares it. Same rules as a real registry: one id per distinct schema across
 * subjects, versions per subject, BACKWARD compatibility enforced on register (409 otherwise).
 * For tests and quick local runs; its contents end with the JVM.
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {
    private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final String scope;
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemaById = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

    private MockSchemaRegistry(String scope) {
        this.scope = scope;
    }

    /** The registry of a scope, created on first use. */
    public static MockSchemaRegistry scope(String scope) {
        return SCOPES.computeIfAbsent(scope, MockSchemaRegistry::new);
    }

    /** Forgets a scope (for tests that want a clean registry). */
    public static void drop(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer existing = idBySchema.get(schema.toString());
        if (existing != null && versions.contains(existing)) {
            return existing;
        }
        if (!versions.isEmpty() && !compatible(schema, schemaById.get(versions.get(versions.size() - 1)))) {
            throw new SchemaRegistryException(url(), "registering a schema under subject '" + subject + "'", 409, 409,
                    "Schema being registered is incompatible with an earlier schema (BACKWARD)");
        }
        int id = existing != null ? existing : schemaById.size() + 1;
        idBySchema.put(schema.toString(), id);
        schemaById.put(id, schema);
        versions.add(id);
        return id;
    }

    @Override
    public synchronized int lookup(String subject, Schema schema) {
        Integer id = idBySchema.get(schema.toString());
        if (id == null || !versionsBySubject.getOrDefault(subject, List.of()).contains(id)) {
            throw new SchemaRegistryException(url(), "looking up a schema under subject '" + subject + "'", 404, 40403,
                    "Schema not found");
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemaById.get(id);
        if (schema == null) {
            throw new UnknownSchemaIdException(url(), id, "?");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SchemaRegistryException(url(), "the latest version of subject '" + subject + "'", 404, 40401,
                    "Subject not found");
        }
        int id = versions.get(versions.size() - 1);
        return new RegisteredSchema(subject, id, versions.size(), schemaById.get(id));
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.get(subject);
        return versions == null || versions.isEmpty()
                || compatible(schema, schemaById.get(versions.get(versions.size() - 1)));
    }

    @Override
    public String url() {
        return "mock://" + scope;
    }

    private static boolean compatible(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }
}
