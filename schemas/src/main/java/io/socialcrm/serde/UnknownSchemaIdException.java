package io.socialcrm.serde;

/** The registry answered that it holds no schema with the id found in the payload. */
public class UnknownSchemaIdException extends SerdeException {
    private final int schemaId;

    public UnknownSchemaIdException(String registryUrl, int schemaId, String topic) {
        super(String.format("Schema id %d (read from a record of topic '%s') is unknown to the schema registry at %s",
                schemaId, topic, registryUrl));
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
