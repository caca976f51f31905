package io.socialcrm.serde;

import org.apache.avro.Schema;

/**
 * The part of the Confluent schema-registry REST API that an Avro serde needs. Implemented over
 * HTTP by {@link RestSchemaRegistryClient} (Confluent Schema Registry, Apicurio's
 * {@code /apis/ccompat/v7}, Karapace, Redpanda) and in-process by {@link MockSchemaRegistry}.
 * Obtain one through {@link SchemaRegistryClients#create}, which adds the cache.
 */
public interface SchemaRegistryClient {

    /** Registers the schema under the subject (a no-op if it is there) and returns its id. */
    int register(String subject, Schema schema);

    /** The id of a schema already registered under the subject; {@link SchemaRegistryException} (404) if it is not. */
    int lookup(String subject, Schema schema);

    /** The schema with this id; {@link UnknownSchemaIdException} if the registry has none. */
    Schema schemaById(int id);

    /** The latest version registered under the subject. */
    RegisteredSchema latest(String subject);

    /** Whether the schema could be registered as the next version of the subject under its compatibility rule. */
    boolean isCompatible(String subject, Schema schema);

    /** The registry's address, for messages. */
    String url();

    /** A version of a subject. */
    record RegisteredSchema(String subject, int id, int version, Schema schema) {
    }
}
