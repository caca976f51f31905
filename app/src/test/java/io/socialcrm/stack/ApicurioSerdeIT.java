package io.socialcrm.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.serde.AvroSerde;
import io.socialcrm.serde.SchemaRegistryClient;
import io.socialcrm.serde.SchemaRegistryClients;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.serde.SchemaRegistryException;
import io.socialcrm.serde.UnknownSchemaIdException;
import io.socialcrm.testing.SampleRecords;
import io.socialcrm.testing.TestStacks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serde against a real registry: Apicurio Registry 2.6 through its Confluent-compatible API. */
class ApicurioSerdeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static String url;
    private static SchemaRegistryConfig config;

    @BeforeAll
    static void stack() {
        url = TestStacks.shared().schemaRegistryUrl();
        config = SchemaRegistryConfig.of(url);
    }

    @Test
    void everyRecordRoundTripsAndItsIdResolvesThroughTheRestApi() throws Exception {
        for (SpecificRecord record : SampleRecords.all()) {
            @SuppressWarnings("unchecked")
            Class<SpecificRecord> type = (Class<SpecificRecord>) record.getClass();
            String topic = "it-" + type.getSimpleName();
            AvroSerde<SpecificRecord> serde = AvroSerde.specific(type, config, false);
            byte[] bytes = serde.serializer().serialize(topic, record);

            assertEquals(0, bytes[0], "magic byte");
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/schemas/ids/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            Schema registered = new Schema.Parser().parse(JSON.readTree(answer.body()).get("schema").asText());
            assertEquals(record.getSchema(), registered, "GET /schemas/ids/" + id + " gives the writer schema");
            assertEquals(record, serde.deserializer().deserialize(topic, bytes), type.getSimpleName());
        }
    }

    @Test
    void apicuriosOwnDeserializerReadsOurBytes() {
        byte[] bytes = AvroSerde.specific(ConsentRecord.class, config, false).serializer()
                .serialize("third-party", SampleRecords.consent());
        Map<String, Object> props = new HashMap<>();
        props.put(SerdeConfig.REGISTRY_URL, url.replace("/apis/ccompat/v7", "/apis/registry/v2"));
        props.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true);
        props.put(SerdeConfig.USE_ID, "contentId");
        props.put(SerdeConfig.ENABLE_HEADERS, false);
        try (AvroKafkaDeserializer<GenericRecord> theirs = new AvroKafkaDeserializer<>()) {
            theirs.configure(props, false);
            GenericRecord read = theirs.deserialize("third-party", bytes);
            assertEquals("c-42", read.get("customerId").toString());
            assertEquals("GRANTED", read.get("status").toString());
            assertEquals(SampleRecords.T.toEpochMilli(), ((Number) read.get("recordedAt")).longValue());
        }
    }

    @Test
    void compatibilityIsCheckedByTheRegistry() throws Exception {
        SchemaRegistryClient client = SchemaRegistryClients.create(config);
        String subject = "compat-check-value";
        Schema v1 = SchemaBuilder.record("Thing").fields().requiredString("id").endRecord();
        Schema v2 = SchemaBuilder.record("Thing").fields().requiredString("id").optionalString("note").endRecord();
        Schema broken = SchemaBuilder.record("Thing").fields().requiredString("id").requiredLong("count").endRecord();
        client.register(subject, v1);
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/config/" + subject))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"BACKWARD\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());

        assertTrue(client.isCompatible(subject, v2));
        assertFalse(client.isCompatible(subject, broken));
        SchemaRegistryException refused = assertThrows(SchemaRegistryException.class, () -> client.register(subject, broken));
        assertEquals(409, refused.httpStatus());
        assertTrue(refused.getMessage().contains("'" + subject + "'"), refused.getMessage());
        client.register(subject, v2);
        assertEquals(2, client.latest(subject).version(), "v2 registers as the second version");
    }

    @Test
    void anIdTheRegistryDoesNotHaveIsUnknownSchemaId() {
        byte[] bytes = AvroSerde.specific(ConsentRecord.class, config, false).serializer().serialize("unknown-id", SampleRecords.consent());
        ByteBuffer.wrap(bytes).putInt(1, 987_654);
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
                () -> AvroSerde.specific(ConsentRecord.class, config, false).deserializer().deserialize("unknown-id", bytes));
        assertTrue(e.getMessage().contains("987654") && e.getMessage().contains(url), e.getMessage());
    }
}
