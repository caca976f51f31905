package io.socialcrm.customers;

import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.Forward;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.influence.InfluenceDistribution;
import io.socialcrm.segments.Segment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What the parts of the customer stage share within one task: its stores, its outputs, the segments
 * in force and the influence distribution customers are ranked against. {@link CustomerProcessor}
 * takes the records in and hands them to its parts: {@link Refresher} (profile, segment
 * transitions, outputs), {@link Merges}, {@link PrivacyLifecycle} (erasure, access) and
 * {@link Sweeps} (time passing, the distribution, take-up).
 */
final class CustomerStage {
    final TopologySettings settings;
    final ProcessorContext<String, Routed> context;
    /** {@code customer-state}, read and written as objects through a write-back buffer. */
    final CustomerStates states;
    final KeyValueStore<String, SegmentMembership> segmentIndex;
    final TopInfluencers top;
    final ContactPlans contacts;
    /** {@code customer-profiles}, one record per customer and commit. */
    final ProfileOutbox profiles;
    /** The segments evaluated, compiled, by key ({@code <id>} or {@code <id>:shadow}). */
    final Map<String, Segment> segments = new TreeMap<>();
    /** The distribution of raw influence across all customers, as last published by every task. */
    InfluenceDistribution distribution = InfluenceDistribution.empty();

    CustomerStage(TopologySettings settings, ProcessorContext<String, Routed> context,
                  CustomerStates states, KeyValueStore<String, SegmentMembership> segmentIndex,
                  TopInfluencers top, ContactPlans contacts, ProfileOutbox profiles) {
        this.settings = settings;
        this.context = context;
        this.states = states;
        this.segmentIndex = segmentIndex;
        this.top = top;
        this.contacts = contacts;
        this.profiles = profiles;
    }

    /**
     * The customer's state with lists that can shrink (Avro's own lists cannot remove while
     * iterating, which removeIf does).
     */
    CustomerState load(String id) {
        return mutable(states.get(id));
    }

    static CustomerState mutable(CustomerState state) {
        // a state buffered in the heap (CustomerStates) has had its lists replaced already
        if (state != null && !(state.getAccounts() instanceof ArrayList && state.getMemberships() instanceof ArrayList)) {
            state.setAccounts(new ArrayList<>(state.getAccounts()));
            state.setMemberships(new ArrayList<>(state.getMemberships()));
        }
        return state;
    }

    /**
     * The time an event-driven refresh is computed at: the customer's own clock (its latest event),
     * not the task's stream time, which other partitions' data can move far ahead when history is
     * replayed. Time passing without events (dormancy, decay for everyone) is the sweeps' job.
     */
    static long now(long eventTime, CustomerState state) {
        return ProfileBuilder.asOf(state, eventTime);
    }

    static AccountState find(CustomerState state, String accountKey) {
        for (AccountState a : state.getAccounts()) {
            if (a.getAccountKey().equals(accountKey)) {
                return a;
            }
        }
        return null;
    }

    static Membership membership(CustomerState state, String segmentId) {
        for (Membership m : state.getMemberships()) {
            if (m.getSegmentId().equals(segmentId)) {
                return m;
            }
        }
        return null;
    }

    /** The customer's live segments, sorted (not the would-be memberships of SHADOW segments). */
    static List<String> liveSegments(CustomerState state) {
        return state.getMemberships().stream().map(Membership::getSegmentId).filter(k -> !Segment.isShadowKey(k)).sorted().toList();
    }

    /** A segment change without the customer's figures at the time (the caller sets them). */
    static SegmentChange.Builder change(String id, String segmentId, MembershipChange change, String reason,
                                        int definitionVersion, long time) {
        return SegmentChange.newBuilder().setCustomerId(id).setSegmentId(segmentId).setChange(change).setReason(reason)
                .setDefinitionVersion(definitionVersion).setAt(Instant.ofEpochMilli(time));
    }

    void forward(String key, Routed value, long time) {
        context.forward(new Record<>(key, value, time));
    }

    /** An event for another customer, who may be on another partition: it goes round through the account stage. */
    void toCustomer(String customerId, Object event, long time) {
        AccountCommand forward = new AccountCommand(new Forward(customerId, new CustomerEvent(event)));
        forward(customerId, new Routed.ToAccounts(forward), time);
    }

    /** Writes a contact opportunity, due or cancelled, to contact-opportunities. */
    void contact(ContactOpportunity opportunity) {
        forward(opportunity.getCustomerId(), new Routed.ToContactOpportunities(opportunity), opportunity.getAt().toEpochMilli());
    }
}
