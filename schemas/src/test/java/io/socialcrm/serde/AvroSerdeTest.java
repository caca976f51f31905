package io.socialcrm.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.testing.SampleRecords;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serde against the in-process registry ({@code mock://}): layout, round trips, typed errors. */
class AvroSerdeTest {
    private static final String SCOPE = "avro-serde-test";
    private final SchemaRegistryConfig config = SchemaRegistryConfig.of("mock://" + SCOPE);

    @AfterEach
    void forget() {
        MockSchemaRegistry.drop(SCOPE);
    }

    @Test
    void everyRecordRoundTripsWithTheConfluentLayout() {
        for (SpecificRecord record : SampleRecords.all()) {
            @SuppressWarnings("unchecked")
            Class<SpecificRecord> type = (Class<SpecificRecord>) record.getClass();
            AvroSerde<SpecificRecord> serde = AvroSerde.specific(type, config, false);
            String topic = "topic-" + type.getSimpleName();
            byte[] bytes = serde.serializer().serialize(topic, record);

            assertEquals(0, bytes[0], "magic byte");
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            assertEquals(MockSchemaRegistry.scope(SCOPE).lookup(topic + "-value", record.getSchema()), id,
                    "the 4-byte big-endian id is the registry's id under <topic>-value");
            assertEquals(record, serde.deserializer().deserialize(topic, bytes), type.getSimpleName());
        }
    }

    @Test
    void everyRecordIsWrittenAsAvroWritesItAlsoAfterOneThatFailedHalfWay() throws Exception {
        SocialActivity broken = SampleRecords.activity();
        broken.setLinkDomains(null); // a required field after a dozen others: the write fails half way through the record
        for (int round = 0; round < 3; round++) {
            for (SpecificRecord record : SampleRecords.all()) {
                @SuppressWarnings("unchecked")
                Class<SpecificRecord> type = (Class<SpecificRecord>) record.getClass();
                String topic = "topic-" + type.getSimpleName();
                byte[] bytes = AvroSerde.specific(type, config, false).serializer().serialize(topic, record);
                assertArrayEquals(directlyWritten(record), Arrays.copyOfRange(bytes, WireFormat.HEADER_SIZE, bytes.length),
                        type.getSimpleName());
                assertThrows(SerdeException.class, () -> AvroSerde.specific(SocialActivity.class, config, false).serializer()
                        .serialize("t", broken));
            }
        }
    }

    /** A record's body as Avro's unbuffered encoder writes it with the class's own model. */
    private static byte[] directlyWritten(SpecificRecord record) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<SpecificRecord>(record.getSchema(),
                org.apache.avro.specific.SpecificData.getForClass(record.getClass())).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void theSamplesCoverEveryRecordTheContractCarries() {
        Set<Class<?>> carried = Topics.defaults().all().stream().map(Topic::valueType)
                .filter(SpecificRecord.class::isAssignableFrom).collect(Collectors.toSet());
        Set<Class<?>> sampled = SampleRecords.all().stream().map(Object::getClass).collect(Collectors.toSet());
        assertEquals(carried, sampled, "SampleRecords.all() has one record of each type a contract topic carries");
    }

    @Test
    void genericSerdeReadsWhatTheSpecificOneWrote() {
        SocialActivity activity = SampleRecords.activity();
        byte[] bytes = AvroSerde.specific(SocialActivity.class, config, false).serializer().serialize("t", activity);
        GenericRecord generic = AvroSerde.generic(config, false).deserializer().deserialize("t", bytes);
        assertEquals("1234567890", generic.get("eventId").toString());
        assertEquals(activity.getOccurredAt().toEpochMilli(), generic.get("occurredAt"));
        byte[] again = AvroSerde.generic(config, false).serializer().serialize("t", generic);
        assertArrayEquals(bytes, again, "generic and specific write the same bytes");
    }

    @Test
    void keysUseTheKeySubject() {
        AvroSerde<ConsentRecord> keySerde = AvroSerde.specific(ConsentRecord.class, config, true);
        byte[] bytes = keySerde.serializer().serialize("consents", SampleRecords.consent());
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertEquals(id, MockSchemaRegistry.scope(SCOPE).latest("consents-key").id());
    }

    @Test
    void nullIsATombstoneBothWays() {
        AvroSerde<SocialActivity> serde = AvroSerde.specific(SocialActivity.class, config, false);
        assertNull(serde.serializer().serialize("t", null));
        assertNull(serde.deserializer().deserialize("t", null));
    }

    @Test
    void aNewerWriterSchemaIsReadByTheOlderClass() {
        // a producer with a later version of SocialActivity: one more field, with a default
        Schema newer = SchemaBuilder.record("SocialActivity").namespace("io.socialcrm.avro").fields()
                .requiredString("eventId").requiredString("platform").requiredString("actorId")
                .name("type").type(SocialActivity.getClassSchema().getField("type").schema()).noDefault()
                .name("occurredAt").type(SocialActivity.getClassSchema().getField("occurredAt").schema()).noDefault()
                .name("sentiment").type().doubleType().doubleDefault(0.0)
                .endRecord();
        GenericRecord record = new GenericData.Record(newer);
        record.put("eventId", "e1");
        record.put("platform", "twitter");
        record.put("actorId", "1");
        record.put("type", new GenericData.EnumSymbol(newer.getField("type").schema(), "LIKE"));
        record.put("occurredAt", 1_000L);
        record.put("sentiment", 0.5);
        byte[] bytes = AvroSerde.generic(config, false).serializer().serialize("t", record);
        SocialActivity read = AvroSerde.specific(SocialActivity.class, config, false).deserializer().deserialize("t", bytes);
        assertEquals("e1", read.getEventId());
        assertEquals(io.socialcrm.avro.ActivityType.LIKE, read.getType());
        assertTrue(read.getHashtags().isEmpty(), "fields the writer lacks take their defaults");
    }

    @Test
    void wrongMagicByteIsATypedError() {
        byte[] bytes = validBytes();
        bytes[0] = 1;
        UnknownMagicByteException e = assertThrows(UnknownMagicByteException.class, () -> deserialize("social-activity", bytes));
        assertEquals(1, e.magicByte());
        assertTrue(e.getMessage().contains("social-activity"), e.getMessage());
    }

    @Test
    void truncatedHeaderAndTruncatedValueAreTypedErrors() {
        byte[] bytes = validBytes();
        TruncatedPayloadException header = assertThrows(TruncatedPayloadException.class,
                () -> deserialize("t", Arrays.copyOf(bytes, 3)));
        assertTrue(header.getMessage().contains("5-byte header"), header.getMessage());
        assertThrows(TruncatedPayloadException.class, () -> deserialize("t", Arrays.copyOf(bytes, bytes.length - 7)));
    }

    @Test
    void unknownSchemaIdIsATypedErrorNamingIdTopicAndRegistry() {
        byte[] bytes = validBytes();
        ByteBuffer.wrap(bytes).put(1, (byte) 0x7f);
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class, () -> deserialize("social-activity", bytes));
        assertTrue(e.getMessage().contains("social-activity") && e.getMessage().contains("mock://" + SCOPE), e.getMessage());
        assertInstanceOf(SerializationException.class, e, "Kafka's handlers see a SerializationException");
    }

    @Test
    void bytesLeftAfterTheValueAreMalformed() {
        byte[] bytes = validBytes();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThrows(MalformedPayloadException.class, () -> deserialize("t", longer));
    }

    @Test
    void serdeFromKafkaStyleConfigWorksToo() {
        AvroSerializer<SocialActivity> serializer = new AvroSerializer<>();
        serializer.configure(Map.of(SchemaRegistryConfig.URL, "mock://" + SCOPE), false);
        AvroDeserializer<SocialActivity> deserializer = new AvroDeserializer<>(SocialActivity.class);
        deserializer.configure(Map.of(SchemaRegistryConfig.URL, "mock://" + SCOPE), false);
        assertEquals(SampleRecords.activity(), deserializer.deserialize("t", serializer.serialize("t", SampleRecords.activity())));
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaIsRefused() {
        SchemaRegistryConfig noAuto = SchemaRegistryConfig.from(Map.of(SchemaRegistryConfig.URL, "mock://" + SCOPE,
                SchemaRegistryConfig.AUTO_REGISTER, "false"));
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> AvroSerde.specific(SocialActivity.class, noAuto, false).serializer().serialize("t", SampleRecords.activity()));
        assertEquals(404, e.httpStatus());
        assertTrue(e.getMessage().contains("'t-value'"), e.getMessage());
    }

    private byte[] validBytes() {
        return AvroSerde.specific(SocialActivity.class, config, false).serializer().serialize("t", SampleRecords.activity());
    }

    private SocialActivity deserialize(String topic, byte[] bytes) {
        return AvroSerde.specific(SocialActivity.class, config, false).deserializer().deserialize(topic, bytes);
    }
}
