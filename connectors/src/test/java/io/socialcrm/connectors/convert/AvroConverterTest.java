package io.socialcrm.connectors.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.SocialActivity;
import io.socialcrm.serde.AvroSerde;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.testing.SampleRecords;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

/** The Connect converter writes what the application's own serde writes, byte for byte, and reads it back. */
class AvroConverterTest {
    private final String registry = "mock://converter-" + UUID.randomUUID();

    private AvroConverter converter() {
        AvroConverter converter = new AvroConverter();
        converter.configure(Map.of(SchemaRegistryConfig.URL, registry), false);
        return converter;
    }

    @Test
    void everyContractRecordIsWrittenAsTheApplicationWritesIt() {
        AvroConverter converter = converter();
        for (SpecificRecord record : SampleRecords.all()) {
            String topic = "t-" + record.getSchema().getName();
            Struct struct = ConnectAvro.toConnect(record);
            assertEquals(record.getSchema().getFullName(), struct.schema().name());
            byte[] viaConnect = converter.fromConnectData(topic, struct.schema(), struct);
            @SuppressWarnings({"unchecked", "rawtypes"})
            byte[] direct = AvroSerde.specific((Class) record.getClass(), SchemaRegistryConfig.of(registry), false)
                    .serializer().serialize(topic, record);
            assertArrayEquals(direct, viaConnect, record.getSchema().getName() + ": same schema id, same Avro bytes");

            SchemaAndValue back = converter.toConnectData(topic, viaConnect);
            assertEquals(struct, back.value(), record.getSchema().getName() + " reads back as the same struct");
        }
    }

    @Test
    void structsAreTypedForTransformsAndSinks() {
        Struct activity = ConnectAvro.toConnect(SampleRecords.activity());
        Schema schema = activity.schema();
        assertEquals(Schema.Type.STRING, schema.field("type").schema().type());
        assertEquals("io.socialcrm.avro.ActivityType", schema.field("type").schema().parameters().get(ConnectAvro.ENUM_PARAMETER));
        assertTrue(schema.field("text").schema().isOptional(), "nullable fields are optional");
        assertEquals(org.apache.kafka.connect.data.Timestamp.LOGICAL_NAME, schema.field("occurredAt").schema().name());
        assertEquals(Date.from(SampleRecords.activity().getOccurredAt()), activity.get("occurredAt"));
        assertEquals(Schema.Type.ARRAY, schema.field("hashtags").schema().type());
    }

    @Test
    void anUnknownEnumSymbolBecomesTheEnumsDefault() {
        SocialActivity sample = SampleRecords.activity();
        Struct struct = ConnectAvro.toConnect(sample);
        struct.put("type", "WAVE");
        SocialActivity read = (SocialActivity) io.socialcrm.serde.AvroSerde.specific(SocialActivity.class,
                SchemaRegistryConfig.of(registry), false).deserializer().deserialize("t", converter().fromConnectData("t",
                struct.schema(), struct));
        assertEquals(io.socialcrm.avro.ActivityType.UNKNOWN, read.getType(), "the topology then refuses it to dead-letters");
    }

    @Test
    void whatCannotBeWrittenIsRefusedWithTheFieldNamed() {
        AvroConverter converter = converter();
        // e.g. a transform dropped a field the contract requires
        Schema dropped = SchemaBuilder.struct().name("io.socialcrm.avro.SocialActivity")
                .field("platform", Schema.STRING_SCHEMA).build();
        DataException noValue = assertThrows(DataException.class,
                () -> converter.fromConnectData("t", dropped, new Struct(dropped).put("platform", "twitter")));
        assertTrue(noValue.getMessage().contains("io.socialcrm.avro.SocialActivity.eventId is missing from the struct"),
                noValue.getMessage());

        Schema other = SchemaBuilder.struct().name("com.example.Order").field("id", Schema.STRING_SCHEMA).build();
        DataException notContract = assertThrows(DataException.class,
                () -> converter.fromConnectData("orders", other, new Struct(other).put("id", "1")));
        assertTrue(notContract.getMessage().contains("'com.example.Order' is not a record of the contract"), notContract.getMessage());

        assertThrows(DataException.class, () -> converter.fromConnectData("t", Schema.STRING_SCHEMA, "text"));
    }

    @Test
    void rawBytesAndTombstonesPassThrough() {
        AvroConverter converter = converter();
        byte[] original = {0x7b, 0x0a, (byte) 0xff};
        assertArrayEquals(original, converter.fromConnectData("dead-letters", Schema.BYTES_SCHEMA, original));
        assertNull(converter.fromConnectData("consents", null, null));
        assertEquals(SchemaAndValue.NULL, converter.toConnectData("consents", null));
    }
}
