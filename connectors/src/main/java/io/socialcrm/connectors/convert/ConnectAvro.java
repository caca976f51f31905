package io.socialcrm.connectors.convert;

import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * The contract's Avro records as Connect data and back, so that source connectors hand Connect a
 * {@link Struct} (which single message transforms can read and change) and {@link AvroConverter}
 * writes exactly the contract's schema. Records become structs named after the Avro record
 * ({@code io.socialcrm.avro.SocialActivity}); a nullable union becomes an optional field; an enum a
 * string with the parameter {@value #ENUM_PARAMETER}; {@code timestamp-millis} Connect's
 * {@link Timestamp}.
 *
 * <p>Confluent's {@code AvroData} does this generically but is not on Maven Central; this mapping
 * covers the types the contract uses and refuses others with a message naming the field.
 */
public final class ConnectAvro {
    /** Parameter of a Connect string schema that stands for an Avro enum: the enum's full name. */
    public static final String ENUM_PARAMETER = "io.socialcrm.avro.enum";

    private static final Map<String, org.apache.avro.Schema> CONTRACT = contractSchemas();
    private static final Map<org.apache.avro.Schema, Schema> CONNECT_SCHEMAS = new ConcurrentHashMap<>();

    private ConnectAvro() {
    }

    private static Map<String, org.apache.avro.Schema> contractSchemas() {
        Map<String, org.apache.avro.Schema> schemas = new LinkedHashMap<>();
        for (Topic<?> topic : Topics.defaults().all()) {
            Class<?> type = topic.valueType();
            if (SpecificRecord.class.isAssignableFrom(type)) {
                org.apache.avro.Schema schema = SpecificData.getForClass(type).getSchema(type);
                schemas.put(schema.getFullName(), schema);
            }
        }
        return Map.copyOf(schemas);
    }

    /** The contract's Avro schema of a record name, e.g. {@code io.socialcrm.avro.SocialActivity}. */
    public static Optional<org.apache.avro.Schema> contractSchema(String fullName) {
        return Optional.ofNullable(fullName == null ? null : CONTRACT.get(fullName));
    }

    /** Names of the records the converter writes. */
    public static Collection<String> contractRecordNames() {
        return CONTRACT.keySet();
    }

    /** The Connect schema of an Avro schema (cached). */
    public static Schema schemaOf(org.apache.avro.Schema avro) {
        Schema known = CONNECT_SCHEMAS.get(avro);
        if (known == null) {
            known = build(avro, false, avro.getFullName());
            CONNECT_SCHEMAS.put(avro, known);
        }
        return known;
    }

    /** An Avro record (specific or generic) as a Connect struct of {@link #schemaOf} its schema. */
    public static Struct toConnect(IndexedRecord record) {
        return (Struct) connectValue(record.getSchema(), schemaOf(record.getSchema()), record, record.getSchema().getFullName());
    }

    /** A Connect struct as a generic record of {@code avro}, field by field. */
    public static GenericRecord toAvro(Struct struct, org.apache.avro.Schema avro) {
        return (GenericRecord) avroValue(avro, struct.schema(), struct, avro.getFullName());
    }

    // ---- schemas ---------------------------------------------------------------------------

    private static Schema build(org.apache.avro.Schema avro, boolean optional, String path) {
        SchemaBuilder builder = builder(avro, path);
        if (optional) {
            builder.optional();
        }
        if (avro.getDoc() != null && avro.getType() != org.apache.avro.Schema.Type.UNION) {
            builder.doc(avro.getDoc());
        }
        return builder.build();
    }

    private static SchemaBuilder builder(org.apache.avro.Schema avro, String path) {
        LogicalType logical = avro.getLogicalType();
        switch (avro.getType()) {
            case RECORD:
                SchemaBuilder struct = SchemaBuilder.struct().name(avro.getFullName());
                for (org.apache.avro.Schema.Field f : avro.getFields()) {
                    org.apache.avro.Schema type = nonNull(f.schema());
                    Schema fieldSchema = build(type, type != f.schema(), path + "." + f.name());
                    struct.field(f.name(), fieldSchema);
                }
                return struct;
            case ENUM:
                return SchemaBuilder.string().parameter(ENUM_PARAMETER, avro.getFullName());
            case ARRAY:
                return SchemaBuilder.array(build(nonNull(avro.getElementType()), isNullable(avro.getElementType()), path + "[]"));
            case MAP:
                return SchemaBuilder.map(Schema.STRING_SCHEMA,
                        build(nonNull(avro.getValueType()), isNullable(avro.getValueType()), path + "{}"));
            case STRING:
                return SchemaBuilder.string();
            case LONG:
                return logical instanceof LogicalTypes.TimestampMillis ? Timestamp.builder() : SchemaBuilder.int64();
            case INT:
                return SchemaBuilder.int32();
            case DOUBLE:
                return SchemaBuilder.float64();
            case FLOAT:
                return SchemaBuilder.float32();
            case BOOLEAN:
                return SchemaBuilder.bool();
            case BYTES:
            case FIXED:
                return SchemaBuilder.bytes();
            default:
                throw new DataException(path + ": Avro type " + avro.getType() + " has no Connect counterpart here");
        }
    }

    /** X of a union [null, X]; the schema itself otherwise. Other unions are refused. */
    private static org.apache.avro.Schema nonNull(org.apache.avro.Schema schema) {
        if (schema.getType() != org.apache.avro.Schema.Type.UNION) {
            return schema;
        }
        List<org.apache.avro.Schema> types = schema.getTypes();
        if (types.size() == 2 && types.get(0).getType() == org.apache.avro.Schema.Type.NULL) {
            return types.get(1);
        }
        if (types.size() == 2 && types.get(1).getType() == org.apache.avro.Schema.Type.NULL) {
            return types.get(0);
        }
        throw new DataException("union " + schema + " is not of null and one type");
    }

    private static boolean isNullable(org.apache.avro.Schema schema) {
        return schema.getType() == org.apache.avro.Schema.Type.UNION;
    }

    // ---- values: Avro to Connect --------------------------------------------------------------

    private static Object connectValue(org.apache.avro.Schema avro, Schema connect, Object value, String path) {
        if (value == null) {
            return null;
        }
        org.apache.avro.Schema type = nonNull(avro);
        switch (type.getType()) {
            case RECORD: {
                IndexedRecord record = (IndexedRecord) value;
                Struct struct = new Struct(connect);
                for (org.apache.avro.Schema.Field f : type.getFields()) {
                    Field field = connect.field(f.name());
                    struct.put(field, connectValue(f.schema(), field.schema(), record.get(f.pos()), path + "." + f.name()));
                }
                return struct;
            }
            case ENUM:
                return value.toString();
            case ARRAY: {
                List<Object> out = new ArrayList<>();
                for (Object item : (Collection<?>) value) {
                    out.add(connectValue(type.getElementType(), connect.valueSchema(), item, path + "[]"));
                }
                return out;
            }
            case MAP: {
                Map<String, Object> out = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> out.put(k.toString(),
                        connectValue(type.getValueType(), connect.valueSchema(), v, path + "{}")));
                return out;
            }
            case STRING:
                return value.toString();
            case LONG:
                if (type.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return value instanceof Instant instant ? Date.from(instant) : new Date(((Number) value).longValue());
                }
                return ((Number) value).longValue();
            case INT:
                return ((Number) value).intValue();
            case DOUBLE:
                return ((Number) value).doubleValue();
            case FLOAT:
                return ((Number) value).floatValue();
            case BOOLEAN:
                return value;
            case BYTES:
                return value instanceof ByteBuffer buffer ? bytes(buffer) : value;
            case FIXED:
                return ((GenericData.Fixed) value).bytes();
            default:
                throw new DataException(path + ": Avro type " + type.getType() + " has no Connect counterpart here");
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    // ---- values: Connect to Avro ----------------------------------------------------------------

    private static Object avroValue(org.apache.avro.Schema avro, Schema connect, Object value, String path) {
        if (value == null) {
            if (isNullable(avro)) {
                return null;
            }
            throw new DataException(path + " is required (" + avro.getType().getName() + ")");
        }
        org.apache.avro.Schema type = nonNull(avro);
        try {
            switch (type.getType()) {
                case RECORD: {
                    if (!(value instanceof Struct struct)) {
                        throw new DataException(path + " must be a struct");
                    }
                    GenericData.Record record = new GenericData.Record(type);
                    for (org.apache.avro.Schema.Field f : type.getFields()) {
                        Field field = struct.schema().field(f.name());
                        Object fieldValue;
                        if (field != null) {
                            fieldValue = avroValue(f.schema(), field.schema(), struct.get(field), path + "." + f.name());
                        } else if (f.hasDefaultValue()) {
                            fieldValue = GenericData.get().getDefaultValue(f);
                        } else {
                            throw new DataException(path + "." + f.name() + " is missing from the struct and has no default");
                        }
                        record.put(f.pos(), fieldValue);
                    }
                    return record;
                }
                case ENUM: {
                    String symbol = value.toString();
                    if (!type.hasEnumSymbol(symbol)) {
                        if (type.getEnumDefault() == null) {
                            throw new DataException(path + ": '" + symbol + "' is not one of " + type.getEnumSymbols());
                        }
                        symbol = type.getEnumDefault();
                    }
                    GenericEnumSymbol<?> enumSymbol = new GenericData.EnumSymbol(type, symbol);
                    return enumSymbol;
                }
                case ARRAY: {
                    List<Object> out = new ArrayList<>();
                    Schema items = connect == null ? null : connect.valueSchema();
                    for (Object item : (Collection<?>) value) {
                        out.add(avroValue(type.getElementType(), items, item, path + "[]"));
                    }
                    return out;
                }
                case MAP: {
                    Map<String, Object> out = new LinkedHashMap<>();
                    Schema values = connect == null ? null : connect.valueSchema();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                        out.put(e.getKey().toString(), avroValue(type.getValueType(), values, e.getValue(), path + "{}"));
                    }
                    return out;
                }
                case STRING:
                    return value.toString();
                case LONG:
                    if (value instanceof Date date) {
                        return date.getTime();
                    }
                    return ((Number) value).longValue();
                case INT:
                    return ((Number) value).intValue();
                case DOUBLE:
                    return ((Number) value).doubleValue();
                case FLOAT:
                    return ((Number) value).floatValue();
                case BOOLEAN:
                    return (Boolean) value;
                case BYTES:
                    return ByteBuffer.wrap((byte[]) value);
                default:
                    throw new DataException(path + ": Avro type " + type.getType() + " is not supported");
            }
        } catch (ClassCastException e) {
            throw new DataException(path + ": a " + value.getClass().getSimpleName() + " cannot be written as Avro "
                    + type.getType().getName());
        }
    }
}
