package io.socialcrm.serde;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka {@link Serde} for Avro records in the Confluent wire format. */
public final class AvroSerde<T extends IndexedRecord> implements Serde<T> {
    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /** A serde of a generated class, ready to use (no configure call needed). */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type, SchemaRegistryConfig config, boolean isKey) {
        SchemaRegistryClient registry = SchemaRegistryClients.create(config);
        return new AvroSerde<>(new AvroSerializer<>(registry, config, isKey), new AvroDeserializer<>(type, registry));
    }

    /** A serde of generic records, ready to use. */
    public static AvroSerde<GenericRecord> generic(SchemaRegistryConfig config, boolean isKey) {
        SchemaRegistryClient registry = SchemaRegistryClients.create(config);
        return new AvroSerde<>(new AvroSerializer<>(registry, config, isKey), new AvroDeserializer<>(null, registry));
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // built ready to use: the registry settings were given to the factory method
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
