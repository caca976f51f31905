package io.socialcrm.customers;

import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.internal.Absorb;
import io.socialcrm.avro.internal.AccessRequested;
import io.socialcrm.avro.internal.AccountErased;
import io.socialcrm.avro.internal.AccountLinked;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.AccountUnlinked;
import io.socialcrm.avro.internal.CreditReceived;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.DefinitionChanged;
import io.socialcrm.avro.internal.EraseRequest;
import io.socialcrm.avro.internal.EventBatch;
import io.socialcrm.avro.internal.MergeRequest;
import io.socialcrm.avro.internal.OwnActivity;
import io.socialcrm.avro.internal.ProfileUpdate;
import io.socialcrm.avro.internal.Restore;
import io.socialcrm.avro.internal.UnmergeRequest;
import io.socialcrm.common.BeforeCommit;
import io.socialcrm.common.CompactionMarkers;
import io.socialcrm.common.LiveCommits;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.consent.AccountKeys;
import io.socialcrm.errors.BatchedEvents;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.metrics.MetricsBuffer;
import io.socialcrm.segments.InvalidRuleException;
import io.socialcrm.segments.Segment;
import io.socialcrm.serde.InternalSerde;
import java.time.Duration;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer stage: per-customer state (per linked account, rolled up on read), segment
 * membership, and the privacy lifecycle (revocation, merge, erasure). This processor takes the
 * records in and applies them to the customer's state; its parts do the rest (they share the task's
 * stores and outputs through {@link CustomerStage}):
 * <ul>
 *   <li>{@link Refresher}: after every change, the profile rebuilt, every segment evaluated,
 *       transitions emitted ({@code segment-changes}, {@code segment-members}), the profile emitted
 *       ({@code customer-profiles});</li>
 *   <li>{@link Merges}: identity merges and unmerges, and events for merged-away ids;</li>
 *   <li>{@link PrivacyLifecycle}: a customer's removal, erasure with its receipt, access reports;</li>
 *   <li>{@link Sweeps}: on a wall-clock tick, customers re-evaluated in bounded batches as of the
 *       task's stream time (decay, dormancy, the moving distribution) after a definition changes and
 *       every {@code segments.refresh.interval}, and the KLL sketch of the partition's raw influence
 *       published to {@code influence-distribution}, which every instance reads whole to rank
 *       customers against all others.</li>
 * </ul>
 */
public final class CustomerProcessor extends ContextualProcessor<String, CustomerEvent, String, Routed> {
    private static final InternalSerde<CustomerEvent> BATCHES = InternalSerde.of(CustomerEvent.class);
    private static final Logger LOG = LoggerFactory.getLogger(CustomerProcessor.class);
    /** Stream time between two looks at the contact opportunities due. */
    private static final Duration CONTACT_CHECK = Duration.ofSeconds(1);

    private final TopologySettings settings;
    private LiveCommits live;
    private final ProfileBuilder builder;
    private final AccountUpdates updates;
    private final LongSupplier nanoClock;
    private KeyValueStore<String, SegmentDefinition> definitions;
    private TimestampedKeyValueStore<String, SegmentDefinition> versions;
    private MetricsBuffer metrics;
    private CustomerStage stage;
    private Refresher refresher;
    private PrivacyLifecycle privacy;
    private Merges merges;
    private Sweeps sweeps;

    /**
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}), which bounds how
     *                  long a sweep step may take ({@code segments.sweep.budget})
     */
    public CustomerProcessor(TopologySettings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.builder = new ProfileBuilder(settings.influence(), settings.contextDecay());
        this.updates = new AccountUpdates(settings.influence(), settings.contextDecay(), settings.contextMaxPerAccount());
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        super.init(context);
        live = LiveCommits.of(context, settings);
        stage = new CustomerStage(settings, context, states(context, settings.customerCacheEntries()),
                context.getStateStore(Names.SEGMENT_INDEX), new TopInfluencers(context.getStateStore(Names.INFLUENCE_INDEX)),
                new ContactPlans(context.getStateStore(Names.CONTACT_PLANS), settings.contact()), profiles(context));
        definitions = context.getStateStore(Names.CUSTOMER_STAGE_DEFINITIONS);
        versions = context.getStateStore(Names.SEGMENT_VERSIONS);
        metrics = MetricsBuffer.sending(context, Names.CUSTOMER_METRICS_BUFFER, "customer-processor", settings.metricsFlush(),
                Names.CUSTOMER_METRICS_BUFFER_MARKS);
        try (KeyValueIterator<String, SegmentDefinition> all = definitions.all()) {
            all.forEachRemaining(kv -> install(kv.key, kv.value));
        }
        refresher = new Refresher(stage, builder);
        privacy = new PrivacyLifecycle(stage, builder, context.getStateStore(Names.PENDING_ERASURES));
        merges = new Merges(stage, refresher, privacy, updates);
        sweeps = new Sweeps(stage, refresher, nanoClock, context.getStateStore(Names.INFLUENCE_DISTRIBUTION), CONTACT_CHECK);
        settings.passes().opened(context.taskId());
        // wall clock, deliberately: sweeps must progress (and definitions take effect) even when
        // no record arrives; what they compute is as of stream time.
        context.schedule(settings.sweepTick(), PunctuationType.WALL_CLOCK_TIME, sweeps::tick);
        // stream time: a contact opportunity is due at a moment of the customers' own (event) time,
        // and is written in the same transaction as the plan's move (exactly once)
        context.schedule(CONTACT_CHECK, PunctuationType.STREAM_TIME, streamTime -> stage.contacts.due(streamTime, stage::contact));
        // wall clock: an erasure must leave the compacted topics' logs even when nothing is written after it
        CompactionMarkers.schedule(context, settings, privacy::appendCompactionMarkers);
    }

    @Override
    public void close() {
        settings.passes().closed(context().taskId());
    }

    /** Customer states written once per customer and commit, and kept in the heap (see {@link CustomerStates}). */
    private static CustomerStates states(ProcessorContext<String, Routed> context, int capacity) {
        CustomerStates states = new CustomerStates(context.getStateStore(Names.CUSTOMER_STATE), capacity);
        // under at-least-once too: the states reach the store and its changelog before the offsets are committed
        states.writeBeforeCommit(BeforeCommit.bind(context, Names.CUSTOMER_STATE_MARKS, states::flush, true));
        return states;
    }

    /** Profiles written once per customer and commit (the outbox and its hook are new with each init: nothing outlives a commit). */
    private static ProfileOutbox profiles(ProcessorContext<String, Routed> context) {
        ProfileOutbox[] outbox = new ProfileOutbox[1];
        BeforeCommit hook = BeforeCommit.bind(context, Names.PROFILE_OUTBOX, () -> outbox[0].flush());
        outbox[0] = new ProfileOutbox(context, hook);
        return outbox[0];
    }

    @Override
    public void process(Record<String, CustomerEvent> record) {
        String id = record.key();
        if (id == null || record.value() == null) {
            throw new InvalidRecordException("customer event without key or value");
        }
        Object event = record.value().getEvent();
        if (event instanceof EventBatch batch) { // the events of one task and commit for this partition
            BatchedEvents.forEach(batch.getEvents(),
                    e -> process(record.withKey(e.getCustomerId()).withValue(e.getEvent()).withTimestamp(e.getTimestamp())),
                    failed -> BATCHES.serialize(null, new CustomerEvent(new EventBatch(failed))));
            return;
        }
        long time = record.timestamp();
        live.seen(time); // each event of a batch once, the batch not again
        sweeps.beforeRecord();
        if (event instanceof DefinitionChanged changed) {
            onDefinition(changed, time);
            return;
        }
        if (event instanceof OwnActivity || event instanceof CreditReceived || event instanceof ProfileUpdate) {
            onCustomerEvent(id, event, record.value(), time);
            dueContacts();
            return;
        }
        // a link, an unlink, a merge, an unmerge, an erasure: it may change the platforms the customer is on
        Set<String> before = TakeUpCount.platforms(stage.states.get(id));
        onCustomerEvent(id, event, record.value(), time);
        sweeps.platformsChanged(before, TakeUpCount.platforms(stage.states.get(id)));
    }

    private void onCustomerEvent(String id, Object event, CustomerEvent wrapped, long time) {
        if (event instanceof AccessRequested access) { // answered for the id asked about, a merged one included
            privacy.onAccess(id, stage.load(id), access, time);
            return;
        }
        if (event instanceof Restore restore) { // addressed to a merged id, which is a redirect until now
            merges.onRestore(id, stage.load(id), restore, time);
            return;
        }
        CustomerState state = stage.load(id);
        if (state != null && state.getRedirectTo() != null) {
            merges.onRedirected(id, state, wrapped, time);
            return;
        }
        if (event instanceof AccountLinked linked) {
            if (state == null) {
                state = CustomerState.newBuilder().build();
            }
            AccountState account = CustomerStage.find(state, linked.getAccountKey());
            boolean narrowed = account != null && !linked.getScopes().containsAll(account.getScopes());
            if (account == null) {
                state.getAccounts().add(AccountUpdates.newAccount(linked));
            } else {
                AccountUpdates.relink(account, linked);
            }
            refresher.afterChange(id, state, time, narrowed ? Refresher.Why.CONSENT : Refresher.Why.EVENT);
        } else if (event instanceof AccountUnlinked unlinked) {
            if (state == null || !state.getAccounts().removeIf(a -> a.getAccountKey().equals(unlinked.getAccountKey()))) {
                return;
            }
            if (state.getAccounts().isEmpty()) {
                privacy.remove(id, state, "no linked account left: " + unlinked.getReason(), time);
            } else {
                refresher.afterChange(id, state, time, Refresher.Why.CONSENT);
            }
        } else if (event instanceof OwnActivity activity) {
            AccountState account = state == null ? null : CustomerStage.find(state, activity.getAccountKey());
            if (account != null) {
                countActiveHour(account, activity.getOccurredAt());
                updates.activity(account, activity);
                refresher.afterChange(id, state, time, Refresher.Why.EVENT);
            }
        } else if (event instanceof CreditReceived credit) {
            AccountState account = state == null ? null : CustomerStage.find(state, credit.getAccountKey());
            // routed by the directory, a copy read with a lag: only an account held with ACTIVITY scope counts
            if (account != null && account.getScopes().contains(ConsentScope.ACTIVITY)) {
                updates.credit(account, credit);
                refresher.afterChange(id, state, time, Refresher.Why.EVENT);
            }
        } else if (event instanceof ProfileUpdate profile) {
            AccountState account = state == null ? null : CustomerStage.find(state, profile.getAccountKey());
            if (account != null) {
                AccountUpdates.profile(account, profile);
                refresher.afterChange(id, state, time, Refresher.Why.EVENT);
            }
        } else if (event instanceof MergeRequest merge) {
            merges.onMerge(id, state, merge, time);
        } else if (event instanceof Absorb absorb) {
            merges.onAbsorb(id, state, absorb, time);
        } else if (event instanceof UnmergeRequest unmerge) {
            merges.onUnmerge(id, state, unmerge, time);
        } else if (event instanceof EraseRequest erase) {
            privacy.onErase(id, state, erase, time);
        } else if (event instanceof AccountErased erased) {
            privacy.onAccountErased(id, erased, time);
        } else {
            throw new InvalidRecordException("unknown customer event " + (event == null ? "null" : event.getClass().getSimpleName()));
        }
    }

    /**
     * Counts the account as active in the hour of this activity, the first time it acts in a later
     * hour than its last activity: the account's state holds that time anyway, so counting here
     * costs no write of its own (counting in the gate cost an account-consents write per active hour).
     */
    private void countActiveHour(AccountState account, long time) {
        Long last = account.getLastActivityAt();
        if (last == null || MetricsBuffer.hourStart(time) > MetricsBuffer.hourStart(last)) {
            metrics.count(AccountKeys.platformOf(account.getAccountKey()), time, MetricsBuffer.Count.ACTIVE_ACCOUNT);
        }
    }

    /**
     * Writes what stream time has made due since the last look: the stream-time punctuation runs
     * after a batch of records, which in a fast replay can span hours of event time; a look after
     * each activity (the head of an ordered set: nothing to do most of the time) keeps the moment.
     */
    private void dueContacts() {
        long streamTime = context().currentStreamTimeMs();
        if (stage.contacts.anyDue(streamTime)) {
            stage.contacts.due(streamTime, stage::contact);
        }
    }

    // ---- segment definitions ---------------------------------------------------------------

    private void onDefinition(DefinitionChanged changed, long time) {
        if (changed.getDefinition() == null) {
            definitions.delete(changed.getSegmentId());
            stage.segments.remove(changed.getSegmentId());
        } else {
            definitions.put(changed.getSegmentId(), changed.getDefinition());
            // every version is kept, also after the segment is deleted (GET /segments/{id}/versions)
            versions.put(Names.segmentVersionKey(changed.getDefinition().getId(), changed.getDefinition().getVersion()),
                    ValueAndTimestamp.make(changed.getDefinition(), time));
            install(changed.getSegmentId(), changed.getDefinition());
        }
        sweeps.requestPass();
    }

    private void install(String id, SegmentDefinition definition) {
        try {
            stage.segments.put(id, Segment.compile(definition));
        } catch (InvalidRuleException e) {
            // admitted upstream by the same compiler, so only a newer version's rules end here
            LOG.error("Segment '{}' cannot be compiled by this version and is not evaluated: {}", id, e.getMessage());
        }
    }
}
