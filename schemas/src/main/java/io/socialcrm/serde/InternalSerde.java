package io.socialcrm.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the application's own records (state stores, changelogs, repartition topics): Avro's
 * single-object encoding (2-byte marker, 8-byte schema fingerprint, Avro binary). It needs no
 * registry, so state can be restored whatever the registry holds; records written with a released
 * earlier version (under {@code avro-released/} in this jar) are resolved to the current class.
 */
public final class InternalSerde<T extends SpecificRecordBase> implements Serde<T>, Serializer<T>, Deserializer<T> {
    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private InternalSerde(Class<T> type) {
        AvroClassTrust.install();
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        SchemaStore.Cache released = new SchemaStore.Cache();
        loadReleased(schema.getFullName(), released);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, released);
    }

    public static <T extends SpecificRecordBase> InternalSerde<T> of(Class<T> type) {
        return new InternalSerde<>(type);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            ByteBuffer buffer = encoder.encode(data);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException e) {
            throw new SerdeException("Cannot write a " + type.getSimpleName() + " for '" + topic + "': " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return decoder.decode(data);
        } catch (BadHeaderException e) {
            throw new UnknownMagicByteException(topic, data.length > 0 ? data[0] : 0);
        } catch (MissingSchemaException e) {
            throw new MalformedPayloadException("A " + type.getSimpleName() + " in '" + topic
                    + "' was written with a schema this version does not know (" + e.getMessage()
                    + "): was a newer version of socialcrm running?", e);
        } catch (IOException | AvroRuntimeException e) {
            throw new MalformedPayloadException("Cannot read a " + type.getSimpleName() + " in '" + topic + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the schema travels with the class
    }

    @Override
    public void close() {
        // holds no resources
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    private static void loadReleased(String fullName, SchemaStore.Cache store) {
        ClassLoader loader = InternalSerde.class.getClassLoader();
        for (int version = 1; ; version++) {
            String resource = "avro-released/" + fullName + "/v" + version + ".avsc";
            URL url = loader.getResource(resource);
            if (url == null) {
                return;
            }
            try (InputStream in = url.openStream()) {
                store.addSchema(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + resource, e);
            }
        }
    }
}
