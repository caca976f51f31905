package io.socialcrm.connectors.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.socialcrm.contract.MemberKey;
import io.socialcrm.contract.Topics;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Turns the records of socialcrm's output topics into rows of the BI tables ({@code docs/bi.md}) for
 * a JDBC sink connector (Debezium's): the record is routed to its table, the key becomes a struct of
 * the table's primary-key columns (read from the value, or from the key of a tombstone, so a delete
 * finds its row), and the value a flat row of typed columns:
 * <ul>
 *   <li>field names in snake case; a nested record's fields with its name as prefix
 *       ({@code influence.score} → {@code influence_score});</li>
 *   <li>timestamps as {@code timestamptz} (Debezium's {@code io.debezium.time.ZonedTimestamp}, in UTC);</li>
 *   <li>lists of strings as arrays ({@code text[]}); lists of records and maps as JSON
 *       ({@code io.debezium.data.Json}: {@code jsonb});</li>
 *   <li>{@code customers} also gets {@code platforms}, the distinct platforms of the linked accounts.</li>
 * </ul>
 * A record of another topic is refused with a {@link DataException} (the connector's error handling
 * sends it to its dead-letter topic). Written for this contract, not as a general flattener: Kafka's
 * {@code Flatten} leaves lists of records and maps as they are, which no JDBC sink can write.
 *
 * <pre>
 * transforms=tables
 * transforms.tables.type=io.socialcrm.connectors.sink.ContractTables
 * transforms.tables.topic.prefix=            (the application's topic.prefix, if any)
 * </pre>
 */
public final class ContractTables<R extends ConnectRecord<R>> implements Transformation<R> {
    /** The application's topic prefix, if it has one. */
    public static final String TOPIC_PREFIX = "topic.prefix";
    /** Debezium's semantic type of a timestamp with its zone, written as an ISO-8601 string. */
    static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
    /** Debezium's semantic type of a JSON document: {@code jsonb} in PostgreSQL. */
    static final String JSON = "io.debezium.data.Json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The tables, by the topic (without prefix) they are filled from, with their primary-key columns. */
    public enum Table {
        CUSTOMERS("customer-profiles", "customers", List.of("customer_id")),
        SEGMENT_MEMBERS("segment-members", "segment_members", List.of("segment_id", "customer_id")),
        SEGMENT_CHANGES("segment-changes", "segment_changes", List.of("customer_id", "segment_id", "at", "change")),
        SOCIAL_METRICS("social-metrics", "social_metrics", List.of("platform", "window_start")),
        ERASURE_RECEIPTS("erasure-receipts", "erasure_receipts", List.of("request_id"));

        public final String topic;
        public final String table;
        public final List<String> keyColumns;

        Table(String topic, String table, List<String> keyColumns) {
            this.topic = topic;
            this.table = table;
            this.keyColumns = keyColumns;
        }
    }

    private String prefix = "";
    /** The row and key schemas of a table, made once per value schema. */
    private record Shape(Schema row, Schema key) {
    }

    private static final Schema CUSTOMERS_KEY = SchemaBuilder.struct().name("io.socialcrm.bi.customers_key")
            .field("customer_id", Schema.STRING_SCHEMA).build();
    private static final Schema SEGMENT_MEMBERS_KEY = SchemaBuilder.struct().name("io.socialcrm.bi.segment_members_key")
            .field("segment_id", Schema.STRING_SCHEMA).field("customer_id", Schema.STRING_SCHEMA).build();
    private final Map<Schema, Shape> shapes = new ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> configs) {
        Object p = configs.get(TOPIC_PREFIX);
        prefix = p == null ? "" : p.toString();
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef().define(TOPIC_PREFIX, ConfigDef.Type.STRING, "", ConfigDef.Importance.MEDIUM,
                "The application's topic.prefix: topics are <prefix><name>, e.g. 'acme.customer-profiles'");
    }

    @Override
    public R apply(R record) {
        if (record.value() == null && Topics.COMPACTION_MARKER_KEY.equals(record.key())) {
            return null; // a compaction marker rolls the topic's segments: no row is meant
        }
        Table table = tableOf(record.topic());
        Struct key;
        Struct row = null;
        if (record.value() == null) {
            key = keyFromTombstone(table, record.key(), record.topic());
        } else {
            Struct value = asStruct(record.value(), record.topic());
            Shape shape = shapes.computeIfAbsent(value.schema(), s -> shape(table, s));
            row = row(table, shape.row(), value);
            key = new Struct(shape.key());
            for (String column : table.keyColumns) {
                key.put(column, row.get(column));
            }
        }
        return record.newRecord(table.table, record.kafkaPartition(), key.schema(), key,
                row == null ? null : row.schema(), row, record.timestamp());
    }

    private Table tableOf(String topic) {
        String name = topic != null && topic.startsWith(prefix) ? topic.substring(prefix.length()) : topic;
        for (Table t : Table.values()) {
            if (t.topic.equals(name)) {
                return t;
            }
        }
        throw new DataException("ContractTables: topic '" + topic + "' is not one of the output topics with a table ("
                + java.util.Arrays.stream(Table.values()).map(t -> prefix + t.topic).toList() + ")");
    }

    private static Struct asStruct(Object value, String topic) {
        if (value instanceof Struct s) {
            return s;
        }
        throw new DataException("ContractTables: topic '" + topic + "': the value is a " + value.getClass().getSimpleName()
                + ", not a record of the contract (is value.converter socialcrm's AvroConverter?)");
    }

    private static Struct row(Table table, Schema schema, Struct value) {
        Struct row = new Struct(schema);
        fill(row, "", value);
        if (table == Table.CUSTOMERS) {
            TreeSet<String> platforms = new TreeSet<>();
            for (Object account : value.getArray("accounts")) {
                platforms.add(((Struct) account).getString("platform"));
            }
            row.put("platforms", new ArrayList<>(platforms));
        }
        return row;
    }

    private static Shape shape(Table table, Schema value) {
        Schema row = rowSchema(table, value);
        SchemaBuilder key = SchemaBuilder.struct().name("io.socialcrm.bi." + table.table + "_key");
        for (String column : table.keyColumns) {
            key.field(column, row.field(column).schema());
        }
        return new Shape(row, key.build());
    }

    private static Schema rowSchema(Table table, Schema value) {
        SchemaBuilder builder = SchemaBuilder.struct().name("io.socialcrm.bi." + table.table);
        addColumns(builder, "", value);
        if (table == Table.CUSTOMERS) {
            builder.field("platforms", SchemaBuilder.array(Schema.STRING_SCHEMA).build());
        }
        return builder.build();
    }

    private static void addColumns(SchemaBuilder builder, String prefix, Schema struct) {
        for (Field f : struct.fields()) {
            String column = prefix + snake(f.name());
            Schema s = f.schema();
            if (s.type() == Schema.Type.STRUCT) {
                addColumns(builder, column + "_", s);
            } else {
                builder.field(column, columnSchema(s));
            }
        }
    }

    private static Schema columnSchema(Schema s) {
        SchemaBuilder b;
        if (Timestamp.LOGICAL_NAME.equals(s.name())) {
            b = SchemaBuilder.string().name(ZONED_TIMESTAMP);
        } else if (s.type() == Schema.Type.MAP
                || s.type() == Schema.Type.ARRAY && s.valueSchema().type() == Schema.Type.STRUCT) {
            b = SchemaBuilder.string().name(JSON);
        } else if (s.type() == Schema.Type.ARRAY) {
            b = SchemaBuilder.array(s.valueSchema());
        } else {
            b = new SchemaBuilder(s.type());
        }
        if (s.isOptional()) {
            b.optional();
        }
        return b.build();
    }

    private static void fill(Struct row, String prefix, Struct value) {
        for (Field f : value.schema().fields()) {
            String column = prefix + snake(f.name());
            Object v = value.get(f);
            Schema s = f.schema();
            if (s.type() == Schema.Type.STRUCT) {
                fill(row, column + "_", (Struct) v);
            } else {
                row.put(column, columnValue(row.schema().field(column).schema(), v));
            }
        }
    }

    private static Object columnValue(Schema column, Object v) {
        if (v == null) {
            return null;
        }
        if (ZONED_TIMESTAMP.equals(column.name())) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(((Date) v).toInstant().atOffset(ZoneOffset.UTC));
        }
        if (JSON.equals(column.name())) {
            try {
                return MAPPER.writeValueAsString(plain(v));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new DataException("ContractTables: cannot write a JSON column: " + e.getMessage(), e);
            }
        }
        return v;
    }

    /** Connect data as plain maps and lists, field names in snake case, timestamps in ISO-8601. */
    private static Object plain(Object v) {
        if (v instanceof Struct s) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Field f : s.schema().fields()) {
                out.put(snake(f.name()), plain(s.get(f)));
            }
            return out;
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(e -> out.add(plain(e)));
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, e) -> out.put(String.valueOf(k), plain(e)));
            return out;
        }
        if (v instanceof Date d) {
            return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(d.getTime()));
        }
        return v;
    }

    /** The primary key of the row a tombstone deletes: only the tables with deletes have them. */
    private static Struct keyFromTombstone(Table table, Object key, String topic) {
        if (!(key instanceof String k)) {
            throw new DataException("ContractTables: a tombstone on '" + topic + "' needs its string key, got "
                    + (key == null ? "none" : key.getClass().getSimpleName()));
        }
        switch (table) {
            case CUSTOMERS:
                return new Struct(CUSTOMERS_KEY).put("customer_id", k);
            case SEGMENT_MEMBERS: {
                if (k.indexOf('/') <= 0) {
                    throw new DataException("ContractTables: '" + topic + "': a member key is segmentId/customerId");
                }
                return new Struct(SEGMENT_MEMBERS_KEY).put("segment_id", MemberKey.segmentOf(k)).put("customer_id", MemberKey.customerOf(k));
            }
            default:
                throw new DataException("ContractTables: '" + topic + "' is append-only: a tombstone there is not a record of the contract");
        }
    }

    static String snake(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        shapes.clear();
    }
}
