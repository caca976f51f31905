package io.socialcrm.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What the HTTP API asks of the application instance it serves: its state, where a customer lives,
 * and what its stores hold. {@link LocalQueries} answers from Kafka Streams' interactive queries;
 * {@link QueryApi} adds the HTTP, the routing and the merging across instances, and is tested
 * against this interface alone.
 */
public interface InstanceQueries {

    /** A store or the instance cannot answer now (rebalancing, restoring, not running): retry shortly. */
    final class NotAvailableException extends RuntimeException {
        public NotAvailableException(String message) {
            super(message, null, false, false);
        }
    }

    /** One entry of the top-influencers list. */
    record Influencer(String customerId, double raw, double score, double percentile) {
    }

    /** One processing thread, for {@code /health}. */
    record ThreadState(String name, String state, int activeTasks, int standbyTasks) {
    }

    /** Where a customer's state lives: the instance (its {@code application.server}) and the partition. */
    record Owner(HostInfo host, int partition) {
    }

    /** The instance's Kafka Streams state ({@code KafkaStreams.State}'s name): {@code RUNNING} when it processes. */
    String state();

    List<ThreadState> threads();

    /** @throws NotAvailableException while the owner is not known (rebalancing) */
    Owner owner(String customerId);

    /** The profile of a customer held here, in {@code partition}; empty if unknown here. */
    Optional<CustomerProfile> profile(String customerId, int partition);

    /** The first {@code limit} influencers of every partition held here, by raw influence. */
    List<Influencer> top(int limit);

    /** The members held here of a segment, by customer id, after {@code after} (exclusive; null: from the first). */
    List<SegmentMembership> members(String segmentId, String after, int limit);

    /** Number of members of each segment held here. */
    Map<String, Long> memberCounts();

    /** Whether this instance holds any customer partition (and so can answer {@link #definitions()}). */
    boolean holdsCustomers();

    /** The segment definitions in force. */
    List<SegmentDefinition> definitions();

    /** An accepted version of a segment definition, and when it was accepted (its record's event time). */
    record DefinitionVersion(SegmentDefinition definition, long acceptedAt) {
    }

    /** Every accepted version of a segment's definition, oldest first; empty if it was never defined (or no customer partition is held here). */
    List<DefinitionVersion> versions(String segmentId);

    /** A customer in a shadow comparison, and why. */
    record ShadowSample(String customerId, String reason) {
    }

    /**
     * A SHADOW definition against the live one of the same id, over the customers held here: how many
     * the shadow rule holds that the live one does not (would enter), the reverse (would leave), and
     * both; samples by customer id.
     */
    record ShadowComparison(int shadowVersion, Integer liveVersion, long wouldEnter, long wouldLeave, long wouldStay,
                            List<ShadowSample> entering, List<ShadowSample> leaving) {
    }

    /**
     * The comparison for a segment with a SHADOW definition, samples of at most {@code sample}; empty
     * if it has none (or no customer partition is held here).
     */
    Optional<ShadowComparison> shadow(String segmentId, int sample);

    /**
     * A customer held here, in {@code partition}, and why it stands where it does: {@code profile}
     * (as {@link #profile}), {@code memberships} (segment, since, reason, definition version),
     * {@code influence} (raw, and each counter's {@code contributions} to it), {@code hours} (168
     * weights of its activity by hour of the week, UTC, Monday 00:00 first). Empty if unknown here.
     */
    default Optional<ObjectNode> explain(String customerId, int partition) {
        return Optional.empty();
    }

    /**
     * The customer's access report (the same document as on {@code access-reports}: everything held
     * about them, or that nothing is), as of now, from {@code partition}.
     */
    default ObjectNode export(String customerId, int partition) {
        throw new NotAvailableException("this instance cannot export customers");
    }

    /** What a draft definition would hold among the customers held here: members, out of customers, and a sample by id. */
    record Preview(long members, long customers, List<ShadowSample> sample) {
    }

    /** A draft definition evaluated over the customers held here, now (no state is changed). */
    default Preview preview(SegmentDefinition draft, int sample) {
        return new Preview(0, 0, List.of());
    }

    /** The API address of every instance of the application, this one included. */
    List<HostInfo> instances();

    /** Registers the engine's own metrics with {@code registry}; closing the result unregisters them. */
    AutoCloseable bindMetrics(MeterRegistry registry);
}
