package io.socialcrm.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the application's own records (state stores, changelogs, repartition topics): Avro's
 * single-object encoding (2-byte marker, 8-byte schema fingerprint, Avro binary). It needs no
 * registry, so state can be restored whatever the registry holds; records written with a released
 * earlier version (under {@code avro-released/} in this jar) are resolved to the current class.
 *
 * <p>The bytes are exactly those of Avro's {@code BinaryMessageEncoder}; reading and writing go
 * through Avro's buffered binary coder over the array, which is several times faster on this hot
 * path than the stream-based message decoder.
 */
public final class InternalSerde<T extends SpecificRecordBase> implements Serde<T>, Serializer<T>, Deserializer<T> {
    /** The single-object encoding marker, from the Avro specification. */
    private static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};
    private static final int HEADER_SIZE = 10;
    private static final Map<Class<?>, InternalSerde<?>> SHARED = new ConcurrentHashMap<>();
    /**
     * A thread's output, used again for each record (and for every type): a customer state of about
     * 1 KB grew a new stream three times and was copied four times, half of what its write allocated.
     */
    private static final ThreadLocal<ByteArrayOutputStream> OUTPUT = ThreadLocal.withInitial(() -> new ByteArrayOutputStream(1024));
    /** Largest record whose output a thread keeps for the next one. */
    private static final int KEPT_OUTPUT_BYTES = 256 * 1024;

    private final Class<T> type;
    private final SpecificData model;
    private final Schema schema;
    private final byte[] header;
    private final long fingerprint;
    private final SchemaStore.Cache released = new SchemaStore.Cache();
    private final DatumWriter<T> writer;
    private final Map<Long, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    private InternalSerde(Class<T> type) {
        AvroClassTrust.install();
        this.type = type;
        this.model = SpecificData.getForClass(type);
        // the generated classes' own encoders (Avro's "custom coders": the same bytes, written field by field
        // without the schema walk) for the classes that have them: those without logical types, customer
        // state among them (its writes were 8 % of Pipeline.activity through the schema walk). Off by
        // default in Avro; the flag is the class's shared model's, and changes nothing else: reading goes
        // through Avro's fast reader, which does not use them
        model.setCustomCoders(true);
        this.schema = model.getSchema(type);
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN)
                .put(MARKER).putLong(fingerprint).array();
        loadReleased(schema.getFullName(), released);
        this.writer = new SpecificDatumWriter<>(schema, model);
        readers.put(fingerprint, new SpecificDatumReader<>(schema, schema, model));
    }

    /** The serde of a generated class (one instance per class: it holds only caches). */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecordBase> InternalSerde<T> of(Class<T> type) {
        return (InternalSerde<T>) SHARED.computeIfAbsent(type, t -> new InternalSerde<>(type));
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        ByteArrayOutputStream out = OUTPUT.get();
        // configured first: a buffered encoder writes what an earlier, failed record left in it to the
        // stream when it is reconfigured, and the stream is emptied after that
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, encoders.get());
        out.reset();
        try {
            out.write(header);
            writer.write(data, encoder);
            encoder.flush();
            encoders.set(encoder);
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            encoders.remove();
            throw new SerdeException("Cannot write a " + type.getSimpleName() + " for '" + topic + "': " + e.getMessage(), e);
        }
        byte[] bytes = out.toByteArray();
        if (bytes.length > KEPT_OUTPUT_BYTES) {
            OUTPUT.remove(); // a rare large record does not keep its buffer for the thread's life
        }
        return bytes;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < HEADER_SIZE || data[0] != header[0] || data[1] != header[1]) {
            throw new UnknownMagicByteException(topic, data.length > 0 ? data[0] : 0);
        }
        long writtenWith = ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        DatumReader<T> reader = readers.computeIfAbsent(writtenWith, this::resolvingReader);
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, HEADER_SIZE, data.length - HEADER_SIZE,
                    decoders.get());
            decoders.set(decoder);
            return reader.read(null, decoder);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new MalformedPayloadException("Cannot read a " + type.getSimpleName() + " in '" + topic + "': " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code data} was written as this type: its header names this class's schema or one of
     * its released versions. For a store or topic whose record type changed (a reader tells the
     * record types it accepts apart by this before decoding).
     */
    public boolean wrote(byte[] data) {
        if (data == null || data.length < HEADER_SIZE || data[0] != header[0] || data[1] != header[1]) {
            return false;
        }
        long writtenWith = ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return writtenWith == fingerprint || released.findByFingerprint(writtenWith) != null;
    }

    private DatumReader<T> resolvingReader(long writtenWith) {
        Schema writerSchema = released.findByFingerprint(writtenWith);
        if (writerSchema == null) {
            throw new MalformedPayloadException("A " + type.getSimpleName() + " was written with a schema this version does "
                    + "not know (fingerprint " + Long.toHexString(writtenWith) + "): was a newer version of socialcrm running?",
                    null);
        }
        return new SpecificDatumReader<>(writerSchema, schema, model);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
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
