package io.socialcrm.connectors.convert;

import io.socialcrm.serde.AvroDeserializer;
import io.socialcrm.serde.AvroSerializer;
import io.socialcrm.serde.SchemaRegistryClient;
import io.socialcrm.serde.SchemaRegistryClients;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.serde.SchemaRegistryUnavailableException;
import io.socialcrm.serde.SerdeException;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.storage.Converter;

/**
 * A Connect converter for the socialcrm contract: Avro in the Confluent wire format (magic byte 0,
 * 4-byte schema id, Avro binary), subjects {@code <topic>-value} / {@code <topic>-key}, with the
 * project's registry client, so it works against Confluent Schema Registry, Apicurio's
 * {@code /apis/ccompat/v7}, Karapace and Redpanda. Configure it as a Connect user configures
 * Confluent's:
 *
 * <pre>
 * value.converter=io.socialcrm.connectors.convert.AvroConverter
 * value.converter.schema.registry.url=http://registry:8081
 * </pre>
 *
 * Structs are written with the contract's schema of the same name (see {@link ConnectAvro}), so that
 * the ids match those the application registers. A bytes value with no schema name passes through as
 * it is: that is how connectors write the original bytes of a bad record to {@code dead-letters}.
 * Reading gives a struct of the writer's schema, so sink connectors can read the output topics too.
 *
 * <p>An unreachable registry is an outage, not bad data: it is a {@link RetriableException}, which
 * Connect retries for {@code errors.retry.timeout} (set it to -1 to wait out any outage) instead of
 * counting the record as bad; a record that cannot be written is a {@link DataException}.
 */
public final class AvroConverter implements Converter {
    private AvroSerializer<GenericRecord> serializer;
    private AvroDeserializer<GenericRecord> deserializer;
    private String registryUrl;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SchemaRegistryConfig config = SchemaRegistryConfig.from(configs);
        SchemaRegistryClient registry = SchemaRegistryClients.create(config);
        this.serializer = new AvroSerializer<>(registry, config, isKey);
        this.deserializer = new AvroDeserializer<>(null, registry);
        this.registryUrl = String.join(",", config.urls());
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef().define(SchemaRegistryConfig.URL, ConfigDef.Type.LIST, ConfigDef.Importance.HIGH,
                "Schema registry URL(s) (Confluent API), e.g. http://registry:8081 or Apicurio's http://host/apis/ccompat/v7");
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        if (schema != null && schema.type() == Schema.Type.BYTES && schema.name() == null) {
            return (byte[]) value;
        }
        if (!(value instanceof Struct struct)) {
            throw new DataException("socialcrm AvroConverter writes structs of the contract's records to topic '" + topic
                    + "', not a " + (schema == null ? value.getClass().getSimpleName() : schema.type()));
        }
        org.apache.avro.Schema avro = ConnectAvro.contractSchema(struct.schema().name()).orElseThrow(() -> new DataException(
                "socialcrm AvroConverter: topic '" + topic + "': struct '" + struct.schema().name()
                        + "' is not a record of the contract (" + ConnectAvro.contractRecordNames() + ")"));
        try {
            return serializer.serialize(topic, ConnectAvro.toAvro(struct, avro));
        } catch (SchemaRegistryUnavailableException e) {
            throw new RetriableException("socialcrm AvroConverter: the schema registry " + registryUrl + " is unreachable: "
                    + e.getMessage(), e);
        } catch (SerdeException e) {
            throw new DataException("socialcrm AvroConverter: topic '" + topic + "', registry " + registryUrl + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        GenericRecord record;
        try {
            record = deserializer.deserialize(topic, value);
        } catch (SchemaRegistryUnavailableException e) {
            throw new RetriableException("socialcrm AvroConverter: the schema registry " + registryUrl + " is unreachable: "
                    + e.getMessage(), e);
        } catch (SerdeException e) {
            throw new DataException("socialcrm AvroConverter: " + e.getMessage(), e);
        }
        return new SchemaAndValue(ConnectAvro.schemaOf(record.getSchema()), ConnectAvro.toConnect(record));
    }
}
