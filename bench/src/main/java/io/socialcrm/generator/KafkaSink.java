package io.socialcrm.generator;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.ContractWriter;
import io.socialcrm.ops.DeliveryTracker;
import io.socialcrm.serde.SchemaRegistryConfig;
import java.util.Properties;

/**
 * Writes what the generator makes to the contract's input topics, in the wire format, keyed by
 * account key ({@code platform:platformUserId}, the actor's for an activity) as the connectors do.
 * A stuck broker or partition fails the sink within {@link DeliveryTracker#DEFAULT_STALL_LIMIT},
 * naming what is stuck.
 */
public final class KafkaSink implements ActivityGenerator.Sink, AutoCloseable {
    private final ContractWriter writer;
    private final Topics topics;
    private long activitiesSent;

    /** {@code producerSettings}: the producer's, besides {@code bootstrap.servers} (e.g. linger, batch size). */
    public KafkaSink(String bootstrapServers, Properties producerSettings, Topics topics, SchemaRegistryConfig registry) {
        this.writer = new ContractWriter(bootstrapServers, producerSettings, registry, DeliveryTracker.DEFAULT_STALL_LIMIT);
        this.topics = topics;
    }

    @Override
    public void activity(SocialActivity a) {
        writer.send(topics.socialActivity, a.getPlatform() + ":" + a.getActorId(), a);
        activitiesSent++;
    }

    @Override
    public void consent(ConsentRecord c) {
        writer.send(topics.consents, c.getPlatform() + ":" + c.getPlatformUserId(), c);
    }

    @Override
    public void profile(ProfileSnapshot p) {
        writer.send(topics.socialProfiles, p.getPlatform() + ":" + p.getPlatformUserId(), p);
    }

    /** Activities handed to the producer so far. */
    public long activitiesSent() {
        return activitiesSent;
    }

    /** Waits until the broker has acknowledged everything sent so far. */
    public void flush() {
        writer.flush();
    }

    @Override
    public void close() {
        writer.close();
    }
}
