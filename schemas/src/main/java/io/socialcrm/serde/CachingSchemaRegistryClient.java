package io.socialcrm.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Caches what never changes in a registry: the id of a schema under a subject, and the schema of
 * an id. After the first record of each schema, serialising and deserialising call no network.
 * {@link #latest} and {@link #isCompatible} are not cached: their answers change.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
    private final SchemaRegistryClient delegate;
    private final Map<SubjectSchema, Integer> registered = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> lookedUp = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {
    }

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer id = registered.get(key);
        if (id == null) {
            id = delegate.register(subject, schema);
            registered.put(key, id);
            byId.putIfAbsent(id, schema);
        }
        return id;
    }

    @Override
    public int lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer id = registered.get(key);
        if (id == null) {
            id = lookedUp.get(key);
        }
        if (id == null) {
            id = delegate.lookup(subject, schema);
            lookedUp.put(key, id);
            byId.putIfAbsent(id, schema);
        }
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            schema = delegate.schemaById(id);
            byId.put(id, schema);
        }
        return schema;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        RegisteredSchema latest = delegate.latest(subject);
        byId.putIfAbsent(latest.id(), latest.schema());
        return latest;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        return delegate.isCompatible(subject, schema);
    }

    @Override
    public String url() {
        return delegate.url();
    }
}
