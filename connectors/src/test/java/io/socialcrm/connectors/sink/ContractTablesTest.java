package io.socialcrm.connectors.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socialcrm.connectors.convert.ConnectAvro;
import io.socialcrm.testing.SampleRecords;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class ContractTablesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SinkRecord record(String topic, String key, SpecificRecord value) {
        Struct struct = value == null ? null : ConnectAvro.toConnect(value);
        return new SinkRecord(topic, 0, Schema.STRING_SCHEMA, key, struct == null ? null : struct.schema(), struct, 3L, 7L,
                TimestampType.CREATE_TIME);
    }

    private static SinkRecord apply(String prefix, SinkRecord record) {
        try (ContractTables<SinkRecord> t = new ContractTables<>()) {
            t.configure(Map.of(ContractTables.TOPIC_PREFIX, prefix));
            return t.apply(record);
        }
    }

    @Test
    void aProfileBecomesOneFlatTypedCustomerRow() throws Exception {
        SinkRecord out = apply("", record("customer-profiles", "c-42", SampleRecords.customerProfile()));
        assertEquals("customers", out.topic(), "routed to its table");
        Struct key = (Struct) out.key();
        assertEquals(List.of("customer_id"), key.schema().fields().stream().map(f -> f.name()).toList());
        assertEquals("c-42", key.get("customer_id"));

        Struct row = (Struct) out.value();
        assertEquals(93.1, row.getFloat64("influence_score"), "a nested record's fields, prefixed with its name");
        assertEquals(62_000_000L, row.getInt64("influence_followers"));
        assertEquals(100, row.getInt32("best_hour_of_week"));
        assertEquals(List.of("football", "top-influencers"), row.getArray("segments"), "a list of strings stays an array");
        assertEquals(List.of("twitter"), row.getArray("platforms"), "derived: the platforms of the linked accounts");
        assertEquals(ContractTables.ZONED_TIMESTAMP, row.schema().field("updated_at").schema().name());
        assertEquals("2026-03-14T15:09:26.535Z", row.getString("updated_at"), "a timestamp in UTC, ISO-8601");
        assertEquals(ContractTables.JSON, row.schema().field("accounts").schema().name());
        JsonNode accounts = JSON.readTree(row.getString("accounts"));
        assertEquals("twitter:783214", accounts.get(0).get("account_key").asText(), "a list of records as JSON");
        assertEquals("2026-03-14T15:09:26.535Z", accounts.get(0).get("linked_at").asText());
        assertEquals(3.5, JSON.readTree(row.getString("contexts")).get("football").asDouble(), "a map as JSON");
        assertEquals(7L, out.timestamp(), "the record's timestamp is kept");
    }

    @Test
    void tombstonesKeepTheirPrimaryKeySoTheSinkCanDeleteTheRow() {
        SinkRecord profile = apply("", record("customer-profiles", "c-42", null));
        assertNull(profile.value());
        assertEquals("c-42", ((Struct) profile.key()).get("customer_id"));

        SinkRecord member = apply("", record("segment-members", "top-influencers/c-42", null));
        assertEquals("segment_members", member.topic());
        assertEquals("top-influencers", ((Struct) member.key()).get("segment_id"));
        assertEquals("c-42", ((Struct) member.key()).get("customer_id"));
    }

    @Test
    void compactionMarkersAreNoRowAndAreDropped() {
        for (String topic : List.of("customer-profiles", "segment-members")) {
            assertNull(apply("", record(topic, io.socialcrm.contract.Topics.COMPACTION_MARKER_KEY, null)),
                    "a marker on " + topic + " deletes nothing and inserts nothing");
        }
    }

    @Test
    void appendedTablesAreKeyedByWhatMakesARowUnique() {
        Struct change = (Struct) apply("", record("segment-changes", "c-42", SampleRecords.segmentChange())).key();
        assertEquals(List.of("customer_id", "segment_id", "at", "change"), change.schema().fields().stream().map(f -> f.name()).toList());
        assertEquals("ENTERED", change.get("change"), "the enum as its name");
        Struct metrics = (Struct) apply("", record("social-metrics", "twitter", SampleRecords.metrics())).key();
        assertEquals("twitter", metrics.get("platform"));
        assertEquals("2026-03-14T15:09:26.535Z", metrics.get("window_start"));
        SinkRecord receipt = apply("", record("erasure-receipts", "c-42", SampleRecords.receipt()));
        assertEquals("req-1", ((Struct) receipt.key()).get("request_id"));
        assertTrue(((Struct) receipt.value()).getString("removed").contains("\"target_kind\":\"STATE_STORE\""));
    }

    @Test
    void theApplicationsTopicPrefixIsHonoured() {
        assertEquals("segment_members", apply("acme.", record("acme.segment-members", "a/c-1", SampleRecords.membership())).topic());
    }

    @Test
    void whatIsNotAnOutputRecordIsRefusedWithTheReason() {
        DataException other = assertThrows(DataException.class, () -> apply("", record("consents", "k", SampleRecords.consent())));
        assertTrue(other.getMessage().contains("'consents' is not one of the output topics"), other.getMessage());
        DataException tombstone = assertThrows(DataException.class, () -> apply("", record("segment-changes", "c-42", null)));
        assertTrue(tombstone.getMessage().contains("append-only"), tombstone.getMessage());
        DataException badKey = assertThrows(DataException.class, () -> apply("", record("segment-members", "no-slash", null)));
        assertTrue(badKey.getMessage().contains("segmentId/customerId"), badKey.getMessage());
    }
}
