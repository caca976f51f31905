package io.socialcrm.customers;

import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.internal.ContactPlan;
import io.socialcrm.common.CompactionMarkers;
import io.socialcrm.time.ContactPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The contact opportunities of one task of the customer stage. An entry into a campaign segment of a
 * customer with MESSAGING scope schedules one (store {@code contact-plans}, changelogged: it survives
 * a crash); it is written once, as DUE, when stream time reaches the chosen moment, or once as
 * CANCELLED when the customer leaves the segment, loses MESSAGING scope, is erased or merged before
 * it expires. A customer holds at most one at a time, and none within {@code contact.min.interval}
 * of the last one written.
 *
 * <p>Which plans move on next is kept in memory, ordered by time, rebuilt from the store when the
 * task starts: it costs no changelog record of its own, and a task that is restarted after a crash
 * rebuilds it from the restored store.
 */
final class ContactPlans {
    /** The statuses of an opportunity: held in the store, written to the topic. */
    static final String SCHEDULED = "SCHEDULED";
    static final String DUE = "DUE";
    static final String CANCELLED = "CANCELLED";
    /** Reasons of a cancellation (ContactOpportunity.cancelReason). */
    static final String EXITED = "EXITED";
    static final String MESSAGING_REVOKED = "MESSAGING_REVOKED";
    static final String ERASED = "ERASED";
    static final String MERGED = "MERGED";
    static final String NO_CONSENT_LEFT = "NO_CONSENT_LEFT";
    /** Stream time passed the whole chosen hour before it could be written (a replay's jump): never sent. */
    static final String EXPIRED = "EXPIRED";

    private record Next(long at, String customerId) implements Comparable<Next> {
        @Override
        public int compareTo(Next o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : customerId.compareTo(o.customerId);
        }
    }

    private final KeyValueStore<String, ContactPlan> store;
    private final ContactPolicy policy;
    private final TreeSet<Next> next = new TreeSet<>();

    ContactPlans(KeyValueStore<String, ContactPlan> store, ContactPolicy policy) {
        this.store = store;
        this.policy = policy;
        try (KeyValueIterator<String, ContactPlan> all = store.all()) {
            all.forEachRemaining(kv -> next.add(new Next(kv.value.getNextCheck(), kv.key)));
        }
    }

    /** Deletes the compaction marker's key in the store ({@link CompactionMarkers}): no plan is under it. */
    void deleteMarker() {
        store.delete(CompactionMarkers.KEY);
    }

    /**
     * A customer with MESSAGING scope entered a campaign segment: schedules an opportunity at the
     * moment the policy chooses from the customer's rhythm, unless one is scheduled or due already.
     *
     * @return whether one was scheduled
     */
    boolean entered(String customerId, String segmentId, int version, String reason, double[] hours, long time) {
        ContactPlan plan = store.get(customerId);
        if (plan != null && plan.getOpportunity() != null) {
            return false;
        }
        ContactPolicy.Moment moment = policy.choose(hours, time, plan == null ? null : plan.getLastContactAt());
        ContactOpportunity opportunity = ContactOpportunity.newBuilder()
                .setOpportunityId(customerId + "/" + segmentId + "/" + time)
                .setCustomerId(customerId).setSegmentId(segmentId).setDefinitionVersion(version).setStatus(SCHEDULED)
                .setReason(reason).setEnteredAt(Instant.ofEpochMilli(time))
                .setContactAt(Instant.ofEpochMilli(moment.contactAt())).setExpiresAt(Instant.ofEpochMilli(moment.expiresAt()))
                .setHourOfWeek(moment.hourOfWeek()).setConfidence(moment.confidence()).setCancelReason(null)
                .setAt(Instant.ofEpochMilli(time)).build();
        put(customerId, plan, new ContactPlan(opportunity, plan == null ? null : plan.getLastContactAt(), moment.contactAt()));
        return true;
    }

    /** The customer's plan (for their access report), or null. */
    ContactPlan plan(String customerId) {
        return store.get(customerId);
    }

    /**
     * Cancels the customer's opportunity, scheduled or due and not expired, writing a CANCELLED
     * record; with {@code forget} (erasure, merge) the plan goes whole, the last contact's time too.
     *
     * @return whether the store held a plan for the customer
     */
    boolean cancel(String customerId, String why, boolean forget, long time, Consumer<ContactOpportunity> out) {
        return cancel(customerId, null, why, forget, time, out);
    }

    /** Cancels the customer's opportunity if it is for {@code segmentId} (an exit from it); true if it was. */
    boolean cancelFor(String customerId, String segmentId, String why, long time, Consumer<ContactOpportunity> out) {
        return cancel(customerId, segmentId, why, false, time, out);
    }

    private boolean cancel(String customerId, String onlyFor, String why, boolean forget, long time, Consumer<ContactOpportunity> out) {
        ContactPlan plan = store.get(customerId);
        if (plan == null || onlyFor != null && (plan.getOpportunity() == null || !onlyFor.equals(plan.getOpportunity().getSegmentId()))) {
            return false;
        }
        ContactOpportunity o = plan.getOpportunity();
        if (o != null && time < o.getExpiresAt().toEpochMilli()) {
            out.accept(written(o, CANCELLED, why, time));
        }
        Long last = plan.getLastContactAt();
        long forgetAt = forgetAt(last);
        if (forget || forgetAt <= time) {
            delete(customerId, plan);
        } else {
            put(customerId, plan, new ContactPlan(null, last, forgetAt));
        }
        return true;
    }

    /** Whether a plan moves on at this stream time (cheap: the head of the ordered set). */
    boolean anyDue(long streamTime) {
        return !next.isEmpty() && next.first().at() <= streamTime;
    }

    /** Writes what is due at this stream time, and moves expired and forgotten plans on. */
    void due(long streamTime, Consumer<ContactOpportunity> out) {
        List<Next> ready = new ArrayList<>(next.headSet(new Next(streamTime, "\uffff"), true));
        for (Next n : ready) {
            ContactPlan plan = store.get(n.customerId());
            if (plan == null || plan.getNextCheck() != n.at()) {
                next.remove(n); // stale: the plan moved on since
                continue;
            }
            ContactOpportunity o = plan.getOpportunity();
            Long last = plan.getLastContactAt();
            if (o != null && SCHEDULED.equals(o.getStatus())) {
                long expires = o.getExpiresAt().toEpochMilli();
                if (streamTime >= expires) {
                    out.accept(written(o, CANCELLED, EXPIRED, streamTime));
                    o = null;
                } else {
                    ContactOpportunity written = written(o, DUE, null, streamTime);
                    out.accept(written);
                    o = written;
                    last = o.getContactAt().toEpochMilli();
                }
            } else {
                o = null; // a due one that expired
            }
            long forgetAt = forgetAt(last);
            if (o != null) {
                put(n.customerId(), plan, new ContactPlan(o, last, o.getExpiresAt().toEpochMilli()));
            } else if (forgetAt > streamTime) {
                put(n.customerId(), plan, new ContactPlan(null, last, forgetAt));
            } else {
                delete(n.customerId(), plan);
            }
        }
    }

    /** When a plan with no opportunity left may go: the last contact plus the minimum interval. */
    private long forgetAt(Long lastContactAt) {
        return lastContactAt == null ? Long.MIN_VALUE : lastContactAt + policy.minInterval().toMillis();
    }

    private static ContactOpportunity written(ContactOpportunity o, String status, String why, long time) {
        return ContactOpportunity.newBuilder(o).setStatus(status).setCancelReason(why).setAt(Instant.ofEpochMilli(time)).build();
    }

    private void put(String customerId, ContactPlan before, ContactPlan after) {
        if (before != null) {
            next.remove(new Next(before.getNextCheck(), customerId));
        }
        store.put(customerId, after);
        next.add(new Next(after.getNextCheck(), customerId));
    }

    private void delete(String customerId, ContactPlan before) {
        next.remove(new Next(before.getNextCheck(), customerId));
        store.delete(customerId);
    }
}
