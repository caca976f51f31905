package io.socialcrm.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro: checks the magic byte, resolves the writer schema by id (once,
 * then cached), and decodes into the specific class given (schema resolution from the writer's
 * schema to the class's) or, with no class, into a generic record of the writer's schema. Every
 * failure is a typed {@link SerdeException} naming the topic.
 */
public class AvroDeserializer<T extends IndexedRecord> implements Deserializer<T> {
    private final Class<T> specificClass;
    private final Schema readerSchema;
    private final SpecificData model;
    private SchemaRegistryClient registry;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    /** A generic deserializer (records of the writer's schema). */
    public AvroDeserializer() {
        this(null);
    }

    /** A deserializer into the given generated class, or generic when null. */
    public AvroDeserializer(Class<T> specificClass) {
        AvroClassTrust.install();
        this.specificClass = specificClass;
        this.model = specificClass == null ? null : SpecificData.getForClass(specificClass);
        this.readerSchema = specificClass == null ? null : model.getSchema(specificClass);
    }

    public AvroDeserializer(Class<T> specificClass, SchemaRegistryClient registry) {
        this(specificClass);
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistryClients.create(SchemaRegistryConfig.from(configs));
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new SerdeException("AvroDeserializer used before configure(): set " + SchemaRegistryConfig.URL);
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int id = WireFormat.readSchemaId(topic, buffer);
        DatumReader<T> reader = readers.get(id);
        if (reader == null) {
            Schema writer;
            try {
                writer = registry.schemaById(id);
            } catch (UnknownSchemaIdException e) {
                throw new UnknownSchemaIdException(registry.url(), id, topic);
            }
            reader = readerFor(writer);
            readers.put(id, reader);
        }
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, buffer.position(), buffer.remaining(), null);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (EOFException | ArrayIndexOutOfBoundsException e) {
            throw new TruncatedPayloadException(topic, data.length, "the Avro value ends early (schema id " + id + ")", e);
        } catch (IOException | AvroRuntimeException | IllegalArgumentException | ClassCastException | NegativeArraySizeException e) {
            throw new MalformedPayloadException("Cannot decode a record of topic '" + topic + "' with schema id " + id
                    + ": " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new MalformedPayloadException("Cannot decode a record of topic '" + topic + "' with schema id " + id
                    + ": a length field is implausibly large", e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new MalformedPayloadException("Record of topic '" + topic + "' has bytes left after the Avro value "
                        + "(schema id " + id + "): written with another schema?", null);
            }
        } catch (IOException e) {
            throw new MalformedPayloadException("Cannot read the end of a record of topic '" + topic + "'", e);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private DatumReader<T> readerFor(Schema writer) {
        if (specificClass == null) {
            return (DatumReader<T>) (DatumReader<?>) new GenericDatumReader<Object>(writer);
        }
        return new SpecificDatumReader<>(writer, readerSchema, model);
    }
}
