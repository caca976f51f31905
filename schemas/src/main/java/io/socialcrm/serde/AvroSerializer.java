package io.socialcrm.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) in the Confluent wire format, subject
 * {@code <topic>-value} or {@code <topic>-key} (TopicNameStrategy). The writer schema is registered
 * on first use unless {@code auto.register.schemas=false}, in which case it must already be
 * registered; with {@code use.latest.version=true} the subject's latest schema is used instead.
 */
public class AvroSerializer<T extends IndexedRecord> implements Serializer<T> {
    private SchemaRegistryClient registry;
    private SchemaRegistryConfig config;
    private boolean isKey;
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<String, Schema> latestBySubject = new ConcurrentHashMap<>();
    /** (subject, schema) to id: after the first record of a schema no registry is asked again. */
    private final Map<String, Map<Schema, Integer>> ids = new ConcurrentHashMap<>();

    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistryClient registry, SchemaRegistryConfig config, boolean isKey) {
        this.registry = registry;
        this.config = config;
        this.isKey = isKey;
        AvroClassTrust.install();
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = SchemaRegistryConfig.from(configs);
        this.registry = SchemaRegistryClients.create(config);
        this.isKey = isKey;
        AvroClassTrust.install();
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (registry == null) {
            throw new SerdeException("AvroSerializer used before configure(): set " + SchemaRegistryConfig.URL);
        }
        String subject = subject(topic, isKey);
        Schema schema = config.useLatestVersion()
                ? latestBySubject.computeIfAbsent(subject, s -> registry.latest(s).schema())
                : record.getSchema();
        Map<Schema, Integer> subjectIds = ids.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer known = subjectIds.get(schema);
        int id;
        if (known != null) {
            id = known;
        } else {
            id = config.autoRegister() && !config.useLatestVersion() ? registry.register(subject, schema)
                    : registry.lookup(subject, schema);
            subjectIds.put(schema, id);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(ByteBuffer.wrap(header), id);
        out.writeBytes(header);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writers.computeIfAbsent(schema, s -> writerFor(s, record)).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerdeException("Cannot write a " + schema.getFullName() + " to topic '" + topic + "': " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Subject of a topic's keys or values (TopicNameStrategy). */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> writerFor(Schema schema, IndexedRecord record) {
        if (record instanceof SpecificRecord) {
            return new SpecificDatumWriter<>(schema, SpecificData.getForClass(record.getClass()));
        }
        return (DatumWriter<Object>) (DatumWriter<?>) new GenericDatumWriter<>(schema);
    }
}
