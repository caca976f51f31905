package io.socialcrm.generator;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.contract.Topics;
import io.socialcrm.serde.SchemaRegistryConfig;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes what the generator makes to the contract's input topics, in the wire format, keyed by
 * account key ({@code platform:platformUserId}, the actor's for an activity) as the connectors do.
 */
public final class KafkaSink implements ActivityGenerator.Sink, AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final Serializer<SocialActivity> activities;
    private final Serializer<ConsentRecord> consents;
    private final Serializer<ProfileSnapshot> profiles;
    private long activitiesSent;

    /** {@code producerSettings}: the producer's, besides {@code bootstrap.servers} (e.g. linger, batch size). */
    public KafkaSink(String bootstrapServers, Properties producerSettings, Topics topics, SchemaRegistryConfig registry) {
        Properties props = new Properties();
        props.putAll(producerSettings);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.producer = new KafkaProducer<>(props, Topics.keySerde().serializer(), new ByteArraySerializer());
        this.topics = topics;
        this.activities = Topics.valueSerde(topics.socialActivity, registry).serializer();
        this.consents = Topics.valueSerde(topics.consents, registry).serializer();
        this.profiles = Topics.valueSerde(topics.socialProfiles, registry).serializer();
    }

    @Override
    public void activity(SocialActivity a) {
        String topic = topics.socialActivity.name();
        producer.send(new ProducerRecord<>(topic, a.getPlatform() + ":" + a.getActorId(), activities.serialize(topic, a)));
        activitiesSent++;
    }

    @Override
    public void consent(ConsentRecord c) {
        String topic = topics.consents.name();
        producer.send(new ProducerRecord<>(topic, c.getPlatform() + ":" + c.getPlatformUserId(), consents.serialize(topic, c)));
    }

    @Override
    public void profile(ProfileSnapshot p) {
        String topic = topics.socialProfiles.name();
        producer.send(new ProducerRecord<>(topic, p.getPlatform() + ":" + p.getPlatformUserId(), profiles.serialize(topic, p)));
    }

    /** Activities handed to the producer so far. */
    public long activitiesSent() {
        return activitiesSent;
    }

    /** Sends what is buffered now and waits for it. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
