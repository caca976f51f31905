package io.socialcrm.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The contract's records as plain JSON, with the Avro field names and no union wrappers: what BI
 * tools and people read ({@code socialcrm replay} output, the HTTP API) and write (activity-json
 * input). Timestamps are written as epoch milliseconds and read from epoch milliseconds or ISO-8601;
 * enums by symbol (read case-insensitively); a number where a string is expected is taken as its text.
 * Avro's own JSON encoding wraps unions ({@code {"string": "x"}}), which is why this exists.
 */
public final class PlainJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PlainJson() {
    }

    /** A field that is missing, of the wrong type or out of range; the message names the field. */
    public static final class InvalidJsonException extends RuntimeException {
        public InvalidJsonException(String message) {
            super(message, null, false, false);
        }
    }

    public static ObjectNode write(IndexedRecord record) {
        return (ObjectNode) value(record, record.getSchema());
    }

    private static JsonNode value(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case UNION:
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL && GenericData.get().validate(branch, plain(value, branch))) {
                        return value(value, branch);
                    }
                }
                return value(value, schema.getTypes().get(schema.getTypes().size() - 1));
            case RECORD:
                IndexedRecord record = (IndexedRecord) value;
                ObjectNode node = NODES.objectNode();
                for (Schema.Field field : schema.getFields()) {
                    node.set(field.name(), value(record.get(field.pos()), field.schema()));
                }
                return node;
            case ARRAY:
                ArrayNode array = NODES.arrayNode();
                for (Object item : (Iterable<?>) value) {
                    array.add(value(item, schema.getElementType()));
                }
                return array;
            case MAP:
                ObjectNode map = NODES.objectNode();
                ((Map<?, ?>) value).forEach((k, v) -> map.set(k.toString(), value(v, schema.getValueType())));
                return map;
            case STRING:
            case ENUM:
                return NODES.textNode(value.toString());
            case LONG:
                if (value instanceof Instant instant) {
                    return NODES.numberNode(instant.toEpochMilli());
                }
                return NODES.numberNode(((Number) value).longValue());
            case INT:
                return NODES.numberNode(((Number) value).intValue());
            case DOUBLE:
                return NODES.numberNode(((Number) value).doubleValue());
            case FLOAT:
                return NODES.numberNode(((Number) value).floatValue());
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case BYTES:
                ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            default:
                return NODES.textNode(value.toString());
        }
    }

    /** The value as the generic model would hold it (for union branch matching). */
    private static Object plain(Object value, Schema branch) {
        if (value instanceof Instant instant && branch.getType() == Schema.Type.LONG) {
            return instant.toEpochMilli();
        }
        return value;
    }

    /** Reads a plain-JSON object into a generated record; {@link InvalidJsonException} names the field at fault. */
    public static <T extends SpecificRecord> T read(JsonNode json, Class<T> type) {
        AvroClassTrust.install();
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        @SuppressWarnings("unchecked")
        T record = (T) readValue(json, schema, "", model);
        return record;
    }

    private static Object readValue(JsonNode json, Schema schema, String path, SpecificData model) {
        boolean absent = json == null || json.isNull() || json.isMissingNode();
        switch (schema.getType()) {
            case UNION: {
                if (absent) {
                    if (schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
                        return null;
                    }
                    throw new InvalidJsonException(where(path) + " is required");
                }
                InvalidJsonException last = null;
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() == Schema.Type.NULL) {
                        continue;
                    }
                    try {
                        return readValue(json, branch, path, model);
                    } catch (InvalidJsonException e) {
                        last = e;
                    }
                }
                throw last != null ? last : new InvalidJsonException(where(path) + " has no usable type");
            }
            case RECORD: {
                if (absent || !json.isObject()) {
                    throw new InvalidJsonException(where(path) + " must be an object");
                }
                Object record = model.newRecord(null, schema);
                for (Schema.Field field : schema.getFields()) {
                    JsonNode child = json.get(field.name());
                    String childPath = path.isEmpty() ? field.name() : path + "." + field.name();
                    Object v;
                    if ((child == null || child.isMissingNode()) && field.hasDefaultValue()) {
                        v = model.deepCopy(field.schema(), model.getDefaultValue(field));
                    } else {
                        v = readValue(child, field.schema(), childPath, model);
                    }
                    model.setField(record, field.name(), field.pos(), v);
                }
                return record;
            }
            case ARRAY: {
                if (absent) {
                    return new ArrayList<>();
                }
                if (!json.isArray()) {
                    throw new InvalidJsonException(where(path) + " must be an array");
                }
                List<Object> list = new ArrayList<>(json.size());
                int i = 0;
                for (JsonNode item : json) {
                    list.add(readValue(item, schema.getElementType(), path + "[" + i++ + "]", model));
                }
                return list;
            }
            case MAP: {
                if (absent) {
                    return new LinkedHashMap<>();
                }
                if (!json.isObject()) {
                    throw new InvalidJsonException(where(path) + " must be an object");
                }
                Map<String, Object> map = new LinkedHashMap<>();
                json.fields().forEachRemaining(e -> map.put(e.getKey(),
                        readValue(e.getValue(), schema.getValueType(), path + "." + e.getKey(), model)));
                return map;
            }
            default:
                if (absent) {
                    throw new InvalidJsonException(where(path) + " is required");
                }
                return scalar(json, schema, path, model);
        }
    }

    private static Object scalar(JsonNode json, Schema schema, String path, SpecificData model) {
        switch (schema.getType()) {
            case STRING:
                if (json.isTextual() || json.isNumber() || json.isBoolean()) {
                    return json.asText();
                }
                throw new InvalidJsonException(where(path) + " must be a string");
            case ENUM: {
                String symbol = json.asText().trim().toUpperCase(Locale.ROOT);
                if (!json.isTextual() || !schema.getEnumSymbols().contains(symbol)) {
                    throw new InvalidJsonException(where(path) + " must be one of " + schema.getEnumSymbols() + ", not '"
                            + json.asText() + "'");
                }
                return model.createEnum(symbol, schema);
            }
            case LONG: {
                LogicalType logical = schema.getLogicalType();
                if (logical instanceof LogicalTypes.TimestampMillis) {
                    return Instant.ofEpochMilli(timestamp(json, path));
                }
                if (!json.canConvertToLong() && !(json.isTextual() && json.asText().matches("-?\\d+"))) {
                    throw new InvalidJsonException(where(path) + " must be a whole number");
                }
                return json.isTextual() ? Long.parseLong(json.asText()) : json.asLong();
            }
            case INT:
                if (!json.canConvertToInt()) {
                    throw new InvalidJsonException(where(path) + " must be a whole number");
                }
                return json.asInt();
            case DOUBLE:
                if (!json.isNumber()) {
                    throw new InvalidJsonException(where(path) + " must be a number");
                }
                return json.asDouble();
            case FLOAT:
                if (!json.isNumber()) {
                    throw new InvalidJsonException(where(path) + " must be a number");
                }
                return (float) json.asDouble();
            case BOOLEAN:
                if (!json.isBoolean()) {
                    throw new InvalidJsonException(where(path) + " must be true or false");
                }
                return json.asBoolean();
            case BYTES:
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(json.asText()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidJsonException(where(path) + " must be base64");
                }
            default:
                throw new InvalidJsonException(where(path) + " has a type this reader does not handle: " + schema.getType());
        }
    }

    /** Epoch milliseconds, or ISO-8601 with an offset ({@code 2026-03-02T09:00:00Z}). */
    public static long timestamp(JsonNode json, String path) {
        if (json.isIntegralNumber()) {
            return json.asLong();
        }
        if (json.isTextual()) {
            String text = json.asText().trim();
            if (text.matches("-?\\d+")) {
                return Long.parseLong(text);
            }
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return Instant.parse(text).toEpochMilli();
                } catch (DateTimeParseException e2) {
                    throw new InvalidJsonException(where(path) + " must be epoch milliseconds or ISO-8601 like "
                            + "2026-03-02T09:00:00Z, not '" + text + "'");
                }
            }
        }
        throw new InvalidJsonException(where(path) + " must be epoch milliseconds or an ISO-8601 time");
    }

    private static String where(String path) {
        return "field '" + (path.isEmpty() ? "(record)" : path) + "'";
    }
}
