package io.socialcrm.customers;

import io.socialcrm.avro.AccessReport;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.ErasureAction;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.ErasureTargetKind;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.internal.Absorb;
import io.socialcrm.avro.internal.AccessRequested;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.AccountErased;
import io.socialcrm.avro.internal.AccountLinked;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.AccountUnlinked;
import io.socialcrm.avro.internal.CreditReceived;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.DefinitionChanged;
import io.socialcrm.avro.internal.EraseAccount;
import io.socialcrm.avro.internal.EraseRequest;
import io.socialcrm.avro.internal.Forward;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.avro.internal.MergeRequest;
import io.socialcrm.avro.internal.OwnActivity;
import io.socialcrm.avro.internal.PendingErasure;
import io.socialcrm.avro.internal.ProfileUpdate;
import io.socialcrm.avro.internal.Relink;
import io.socialcrm.avro.internal.Restore;
import io.socialcrm.avro.internal.UnmergeRequest;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.consent.AccountKeys;
import io.socialcrm.contract.ChangeTrigger;
import io.socialcrm.contract.ExitReasons;
import io.socialcrm.contract.MemberKey;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.influence.InfluenceDistribution;
import io.socialcrm.influence.InfluenceModel;
import io.socialcrm.influence.PublishedSketches;
import io.socialcrm.metrics.MetricsBuffer;
import io.socialcrm.segments.InvalidRuleException;
import io.socialcrm.segments.MinimumDwell;
import io.socialcrm.segments.ProfileView;
import io.socialcrm.segments.Segment;
import io.socialcrm.segments.SegmentEvaluator;
import io.socialcrm.segments.SegmentEvaluator.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.kafka.streams.KeyValue;
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
 * membership, and the privacy lifecycle (revocation, merge, erasure). Every change of a customer is
 * followed by a refresh: profile rebuilt, every segment evaluated, transitions emitted
 * ({@code segment-changes}, {@code segment-members}), profile emitted ({@code customer-profiles}).
 *
 * <p>A wall-clock punctuator sweeps the task's customers in bounded batches: after a definition
 * changes, and every {@code segments.refresh.interval}. A sweep re-evaluates everyone as of the
 * task's stream time (decay, dormancy, the moving distribution) and, when it completes, publishes the
 * KLL sketch of the partition's raw influence to {@code influence-distribution}, which every
 * instance reads whole to rank customers against all others.
 */
public final class CustomerProcessor extends ContextualProcessor<String, CustomerEvent, String, Routed> {
    private static final Logger LOG = LoggerFactory.getLogger(CustomerProcessor.class);
    /** A sweep emits a profile when segments change or the score moved this much. */
    private static final double SCORE_STEP = 1.0;
    private static final int TOP_CONTEXTS = 3;
    private static final long TAKE_UP_EVERY_MS = 1_000;
    /** Stream time between two looks at the contact opportunities due. */
    private static final Duration CONTACT_CHECK = Duration.ofSeconds(1);

    private final TopologySettings settings;
    private final InfluenceModel model;
    private final ProfileBuilder builder;
    private final AccountUpdates updates;
    private final SegmentEvaluator evaluator;
    private final LongSupplier nanoClock;
    private final PublishedSketches published;
    private KeyValueStore<String, CustomerState> states;
    private KeyValueStore<String, SegmentMembership> segmentIndex;
    private TopInfluencers top;
    private KeyValueStore<String, SegmentDefinition> definitions;
    private TimestampedKeyValueStore<String, SegmentDefinition> versions;
    private KeyValueStore<String, PendingErasure> pendingErasures;
    private KeyValueStore<String, ValueAndTimestamp<byte[]>> distributionStore;
    private MetricsBuffer metrics;
    private ContactPlans contacts;
    private final Map<String, Segment> segments = new TreeMap<>();
    private InfluenceDistribution distribution = InfluenceDistribution.empty();
    private String distributionKey;
    /** Set when this task published a sketch the global table may not show yet. */
    private boolean awaitingOwnSketch;
    private long lastDistributionCheck;

    private boolean passRequested = true;
    private boolean passRunning;
    private String cursor;
    private long lastPassStart = Long.MIN_VALUE / 2;
    private KllDoublesSketch passSketch;
    /** A hash of the raw values of the running pass, in the order swept, and of the last one published. */
    private long passValues;
    private long publishedValues = Long.MIN_VALUE;
    /** The partition's cross-platform consent take-up, and whether it changed since it was last written. */
    private TakeUpCount takeUp;
    private boolean takeUpChanged;
    private long takeUpWrittenAt = Long.MIN_VALUE / 2;
    /** The task's stream time as last seen by the wall-clock tick, and the wall-clock time it last moved. */
    private long streamTimeSeen = -1;
    private long streamTimeMovedAt;

    /**
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}), which bounds how
     *                  long a sweep step may take ({@code segments.sweep.budget})
     */
    public CustomerProcessor(TopologySettings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.evaluator = new SegmentEvaluator(settings.counters());
        this.published = new PublishedSketches(settings.applicationId(), settings.sketchK(), settings.minPopulation());
        this.model = settings.influence();
        this.builder = new ProfileBuilder(model, settings.contextDecay());
        this.updates = new AccountUpdates(model, settings.contextDecay(), settings.contextMaxPerAccount());
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        super.init(context);
        states = context.getStateStore(Names.CUSTOMER_STATE);
        segmentIndex = context.getStateStore(Names.SEGMENT_INDEX);
        top = new TopInfluencers(context.getStateStore(Names.INFLUENCE_INDEX));
        definitions = context.getStateStore(Names.CUSTOMER_STAGE_DEFINITIONS);
        versions = context.getStateStore(Names.SEGMENT_VERSIONS);
        pendingErasures = context.getStateStore(Names.PENDING_ERASURES);
        distributionStore = context.getStateStore(Names.INFLUENCE_DISTRIBUTION);
        metrics = new MetricsBuffer(context.getStateStore(Names.CUSTOMER_METRICS_BUFFER));
        contacts = new ContactPlans(context.getStateStore(Names.CONTACT_PLANS), settings.contact());
        distributionKey = settings.applicationId() + "/" + context.taskId().partition();
        try (KeyValueIterator<String, SegmentDefinition> all = definitions.all()) {
            all.forEachRemaining(kv -> install(kv.key, kv.value));
        }
        // counted whole once the state is restored (a revived task starts again from here), then kept current
        takeUp = new TakeUpCount();
        try (KeyValueIterator<String, CustomerState> all = states.all()) {
            all.forEachRemaining(kv -> takeUp.add(TakeUpCount.platforms(kv.value)));
        }
        takeUpChanged = true;
        reloadDistribution();
        // wall clock, deliberately: sweeps must progress (and definitions take effect) even when
        // no record arrives; what they compute is as of stream time.
        context.schedule(settings.sweepTick(), PunctuationType.WALL_CLOCK_TIME, this::tick);
        // wall clock, like the gate's: counts reach social-metrics even when the stream is idle
        context.schedule(settings.metricsFlush(), PunctuationType.WALL_CLOCK_TIME, now -> metrics.flush(context));
        // stream time: a contact opportunity is due at a moment of the customers' own (event) time,
        // and is written in the same transaction as the plan's move (exactly once)
        context.schedule(CONTACT_CHECK, PunctuationType.STREAM_TIME, streamTime -> contacts.due(streamTime, this::contact));
    }

    @Override
    public void process(Record<String, CustomerEvent> record) {
        String id = record.key();
        if (id == null || record.value() == null) {
            throw new InvalidRecordException("customer event without key or value");
        }
        Object event = record.value().getEvent();
        long time = record.timestamp();
        if (awaitingOwnSketch && context().currentSystemTimeMs() - lastDistributionCheck >= 100) {
            lastDistributionCheck = context().currentSystemTimeMs();
            if (reloadDistribution()) {
                awaitingOwnSketch = false;
            }
        }
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
        Set<String> before = TakeUpCount.platforms(states.get(id));
        onCustomerEvent(id, event, record.value(), time);
        Set<String> after = TakeUpCount.platforms(states.get(id));
        if (!before.equals(after)) {
            takeUp.remove(before);
            takeUp.add(after);
            takeUpChanged = true;
        }
    }

    private void onCustomerEvent(String id, Object event, CustomerEvent wrapped, long time) {
        if (event instanceof AccessRequested access) { // answered for the id asked about, a merged one included
            onAccess(id, load(id), access, time);
            return;
        }
        if (event instanceof Restore restore) { // addressed to a merged id, which is a redirect until now
            onRestore(id, load(id), restore, time);
            return;
        }
        CustomerState state = load(id);
        if (state != null && state.getRedirectTo() != null) {
            onRedirected(id, state, wrapped, time);
            return;
        }
        if (event instanceof AccountLinked linked) {
            if (state == null) {
                state = CustomerState.newBuilder().build();
            }
            AccountState account = find(state, linked.getAccountKey());
            boolean narrowed = account != null && !linked.getScopes().containsAll(account.getScopes());
            if (account == null) {
                state.getAccounts().add(AccountUpdates.newAccount(linked));
            } else {
                AccountUpdates.relink(account, linked);
            }
            refresh(id, state, now(time, state), time, narrowed ? Refresh.CONSENT : Refresh.EVENT);
        } else if (event instanceof AccountUnlinked unlinked) {
            if (state == null || !state.getAccounts().removeIf(a -> a.getAccountKey().equals(unlinked.getAccountKey()))) {
                return;
            }
            if (state.getAccounts().isEmpty()) {
                remove(id, state, "no linked account left: " + unlinked.getReason(), time);
            } else {
                refresh(id, state, now(time, state), time, Refresh.CONSENT);
            }
        } else if (event instanceof OwnActivity activity) {
            AccountState account = state == null ? null : find(state, activity.getAccountKey());
            if (account != null) {
                countActiveHour(account, activity.getOccurredAt());
                updates.activity(account, activity);
                refresh(id, state, now(time, state), time, Refresh.EVENT);
            }
        } else if (event instanceof CreditReceived credit) {
            AccountState account = state == null ? null : find(state, credit.getAccountKey());
            // routed by the directory, a copy read with a lag: only an account held with ACTIVITY scope counts
            if (account != null && account.getScopes().contains(ConsentScope.ACTIVITY)) {
                updates.credit(account, credit);
                refresh(id, state, now(time, state), time, Refresh.EVENT);
            }
        } else if (event instanceof ProfileUpdate profile) {
            AccountState account = state == null ? null : find(state, profile.getAccountKey());
            if (account != null) {
                AccountUpdates.profile(account, profile);
                refresh(id, state, now(time, state), time, Refresh.EVENT);
            }
        } else if (event instanceof MergeRequest merge) {
            onMerge(id, state, merge, time);
        } else if (event instanceof Absorb absorb) {
            onAbsorb(id, state, absorb, time);
        } else if (event instanceof UnmergeRequest unmerge) {
            onUnmerge(id, state, unmerge, time);
        } else if (event instanceof EraseRequest erase) {
            onErase(id, state, erase, time);
        } else if (event instanceof AccountErased erased) {
            onAccountErased(id, erased, time);
        } else {
            throw new InvalidRecordException("unknown customer event " + (event == null ? "null" : event.getClass().getSimpleName()));
        }
    }

    /**
     * The customer's state with lists that can shrink (Avro's own lists cannot remove while
     * iterating, which removeIf does).
     */
    private CustomerState load(String id) {
        return mutable(states.get(id));
    }

    private static CustomerState mutable(CustomerState state) {
        if (state != null) {
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
    private static long now(long eventTime, CustomerState state) {
        return ProfileBuilder.asOf(state, eventTime);
    }

    private static AccountState find(CustomerState state, String accountKey) {
        for (AccountState a : state.getAccounts()) {
            if (a.getAccountKey().equals(accountKey)) {
                return a;
            }
        }
        return null;
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

    // ---- refresh: profile, segments, outputs ----------------------------------------------

    /** Why a customer is refreshed. */
    private enum Refresh {
        /** Activity, a credit, a profile update or an account linked. */
        EVENT,
        /** Scopes narrowed, an account unlinked, or a merge: segment exits it causes do not wait for a minimum dwell. */
        CONSENT,
        /** A sweep: time passed. */
        SWEEP
    }

    /** Rebuilds the profile, applies segment transitions, writes outputs; returns the raw influence. */
    private double refresh(String id, CustomerState state, long now, long time, Refresh why) {
        boolean sweep = why == Refresh.SWEEP;
        ProfileBuilder.Built built = builder.build(id, state, now, distribution);
        CustomerProfile profile = built.profile();
        ProfileView view = new ProfileView(profile, built.daysSinceActivity());
        boolean changed = !sweep;
        List<Transition> transitions = new ArrayList<>();
        changed |= transitions(state, view, time, why == Refresh.CONSENT, transitions);
        for (Transition t : transitions) {
            apply(id, state, t, profile, time, sweep ? ChangeTrigger.SWEEP : ChangeTrigger.EVENT);
        }
        if (!transitions.isEmpty()) {
            profile.setSegments(liveSegments(state));
            changed = true;
        }
        if (why == Refresh.CONSENT && !profile.getContactable()) { // MESSAGING scope narrowed or unlinked: only then
            contacts.cancel(id, ContactPlans.MESSAGING_REVOKED, false, time, this::contact);
        }
        double raw = model.raw(built.totals());
        top.offer(id, raw);
        if (state.getIndexKey() != null) {
            state.setIndexKey(null); // written by versions that kept the ranking in a changelogged store
            changed = true;
        }
        double score = profile.getInfluence().getScore();
        if (!sweep || !transitions.isEmpty() || Math.abs(score - state.getLastScore()) >= SCORE_STEP) {
            state.setLastScore((float) score);
            state.setRefreshedAt(now);
            context().forward(new Record<>(id, new Routed.ToProfiles(profile), time));
            changed = true;
        }
        if (changed) {
            states.put(id, state);
        }
        return raw;
    }

    /**
     * Adds the customer's segment transitions to {@code out}; true when a membership's own state
     * changed (an exit held back by a minimum dwell, or no longer due).
     */
    private boolean transitions(CustomerState state, ProfileView view, long time, boolean consentChanged, List<Transition> out) {
        Set<String> members = new HashSet<>();
        for (Membership m : state.getMemberships()) {
            members.add(m.getSegmentId());
        }
        boolean changed = false;
        for (Segment segment : segments.values()) {
            boolean member = members.remove(segment.key());
            Transition t = evaluator.evaluate(segment, view, member);
            if (member) {
                Membership m = membership(state, segment.key());
                Long dueBefore = m.getExitDueSince();
                t = MinimumDwell.apply(segment, m, t, time, consentChanged);
                changed |= !Objects.equals(dueBefore, m.getExitDueSince());
            }
            if (t != null) {
                out.add(t);
            }
        }
        for (String gone : members) {
            Membership m = membership(state, gone);
            out.add(new Transition(gone, MembershipChange.EXITED, Segment.isShadowKey(gone)
                    ? "shadow ended (promoted, superseded or deleted)" : "segment deleted", m.getDefinitionVersion()));
        }
        return changed;
    }

    /** The customer's live segments, sorted (not the would-be memberships of SHADOW segments). */
    private static List<String> liveSegments(CustomerState state) {
        return state.getMemberships().stream().map(Membership::getSegmentId).filter(k -> !Segment.isShadowKey(k)).sorted().toList();
    }

    private static Membership membership(CustomerState state, String segmentId) {
        for (Membership m : state.getMemberships()) {
            if (m.getSegmentId().equals(segmentId)) {
                return m;
            }
        }
        return null;
    }

    private void apply(String id, CustomerState state, Transition t, CustomerProfile profile, long time,
                       ChangeTrigger trigger) {
        if (Segment.isShadowKey(t.segmentId())) {
            shadow(id, state, t, profile, time, trigger);
            return;
        }
        String memberKey = MemberKey.of(t.segmentId(), id);
        if (t.change() == MembershipChange.ENTERED) {
            // the reason is kept once, in segment-index (and on the outputs), not in the customer's state
            state.getMemberships().add(new Membership(t.segmentId(), time, t.definitionVersion(), "", null));
            SegmentMembership membership = new SegmentMembership(t.segmentId(), id, Instant.ofEpochMilli(time), t.reason(),
                    t.definitionVersion());
            segmentIndex.put(memberKey, membership);
            context().forward(new Record<>(memberKey, new Routed.ToSegmentMembers(membership), time));
            Segment segment = segments.get(t.segmentId());
            if (segment != null && segment.campaign() && profile.getContactable()) {
                plan(id, state, t.segmentId(), t.definitionVersion(), t.reason(), time);
            }
        } else {
            state.getMemberships().removeIf(m -> m.getSegmentId().equals(t.segmentId()));
            segmentIndex.delete(memberKey);
            context().forward(new Record<>(memberKey, new Routed.ToSegmentMembers(null), time));
            Segment segment = segments.get(t.segmentId());
            if ((segment == null || segment.campaign()) && contacts.cancelFor(id, t.segmentId(), ContactPlans.EXITED, time, this::contact)
                    && profile.getContactable()) {
                planForAnotherCampaign(id, state, time);
            }
        }
        settings.counters().increment(t.change() == MembershipChange.ENTERED ? Counter.SEGMENTS_ENTERED : Counter.SEGMENTS_EXITED);
        SegmentChange change = change(id, t.segmentId(), t.change(), t.reason(), t.definitionVersion(), time)
                .setInfluenceScore(profile.getInfluence().getScore())
                .setTopContexts(ProfileBuilder.topContexts(profile, TOP_CONTEXTS))
                .setBestHourOfWeek(profile.getBestHourOfWeek()).setContactable(profile.getContactable()).build();
        context().forward(new Record<>(id, new Routed.ToSegmentChanges(change), time, trigger.headers()));
    }

    /** Schedules a contact opportunity for a campaign segment entered, unless the customer holds one already. */
    private boolean plan(String id, CustomerState state, String segmentId, int version, String reason, long time) {
        if (!contacts.entered(id, segmentId, version, reason, builder.hoursOfWeek(state, time), time)) {
            return false;
        }
        // a moment stream time has passed already (the hour now running, or a customer whose records
        // come late) is written at once, not at the next move of stream time
        contacts.due(context().currentStreamTimeMs(), this::contact);
        return true;
    }

    /**
     * After an exit cancelled the customer's opportunity: another campaign segment they are still in
     * (whose entry found the one now cancelled in place) gives one, with its entry's reason.
     */
    private void planForAnotherCampaign(String id, CustomerState state, long time) {
        for (Membership m : state.getMemberships()) {
            Segment other = segments.get(m.getSegmentId());
            if (other != null && other.campaign()) {
                SegmentMembership entry = segmentIndex.get(MemberKey.of(m.getSegmentId(), id));
                if (plan(id, state, m.getSegmentId(), m.getDefinitionVersion(), entry == null ? "" : entry.getReason(), time)) {
                    return;
                }
            }
        }
    }

    /**
     * A SHADOW segment's transition: kept in the customer's state (with the entry's reason, which no
     * index holds for it) and written to segment-shadow-changes only; no live output, no counter.
     */
    private void shadow(String id, CustomerState state, Transition t, CustomerProfile profile, long time, ChangeTrigger trigger) {
        if (t.change() == MembershipChange.ENTERED) {
            state.getMemberships().add(new Membership(t.segmentId(), time, t.definitionVersion(), t.reason(), null));
        } else {
            state.getMemberships().removeIf(m -> m.getSegmentId().equals(t.segmentId()));
        }
        SegmentChange change = change(id, Segment.idOf(t.segmentId()), t.change(), t.reason(), t.definitionVersion(), time)
                .setInfluenceScore(profile.getInfluence().getScore())
                .setTopContexts(ProfileBuilder.topContexts(profile, TOP_CONTEXTS))
                .setBestHourOfWeek(profile.getBestHourOfWeek()).setContactable(profile.getContactable()).build();
        context().forward(new Record<>(id, new Routed.ToShadowChanges(change), time, trigger.headers()));
    }

    /** A segment change without the customer's figures at the time (the caller sets them). */
    private static SegmentChange.Builder change(String id, String segmentId, MembershipChange change, String reason,
                                                int definitionVersion, long time) {
        return SegmentChange.newBuilder().setCustomerId(id).setSegmentId(segmentId).setChange(change).setReason(reason)
                .setDefinitionVersion(definitionVersion).setAt(Instant.ofEpochMilli(time));
    }

    /** Removes every trace of a customer from this stage; returns what was removed, by place. */
    private Map<String, Long> remove(String id, CustomerState state, String reason, long time) {
        Map<String, Long> removed = new LinkedHashMap<>();
        float score = Math.max(0, state.getLastScore());
        long live = 0;
        for (Membership m : new ArrayList<>(state.getMemberships())) {
            boolean shadow = Segment.isShadowKey(m.getSegmentId());
            SegmentChange exit = change(id, Segment.idOf(m.getSegmentId()), MembershipChange.EXITED, reason, m.getDefinitionVersion(), time)
                    .setInfluenceScore(score).setTopContexts(List.of()).setBestHourOfWeek(null).setContactable(false).build();
            if (shadow) {
                context().forward(new Record<>(id, new Routed.ToShadowChanges(exit), time, ChangeTrigger.EVENT.headers()));
                continue;
            }
            live++;
            String memberKey = MemberKey.of(m.getSegmentId(), id);
            segmentIndex.delete(memberKey);
            context().forward(new Record<>(memberKey, new Routed.ToSegmentMembers(null), time));
            settings.counters().increment(Counter.SEGMENTS_EXITED);
            context().forward(new Record<>(id, new Routed.ToSegmentChanges(exit), time, ChangeTrigger.EVENT.headers()));
        }
        removed.put(Names.SEGMENT_INDEX, live);
        removed.put("topic:" + settings.topics().segmentMembers.name(), live);
        String cancelled = ExitReasons.ERASED.equals(reason) ? ContactPlans.ERASED
                : ExitReasons.MERGED.equals(reason) ? ContactPlans.MERGED : ContactPlans.NO_CONSENT_LEFT;
        if (contacts.cancel(id, cancelled, true, time, this::contact)) {
            removed.put(Names.CONTACT_PLANS, 1L);
        }
        if (top.remove(id)) {
            removed.put(Names.INFLUENCE_INDEX, 1L);
        }
        context().forward(new Record<>(id, new Routed.ToProfiles(null), time));
        removed.put("topic:" + settings.topics().customerProfiles.name(), 1L);
        // the customer's copy, if they ever asked for one (no store says whether they did: the tombstone always goes)
        context().forward(new Record<>(id, new Routed.ToAccessReports(null), time));
        states.delete(id);
        removed.put(Names.CUSTOMER_STATE, 1L);
        return removed;
    }

    // ---- segment definitions ---------------------------------------------------------------

    private void onDefinition(DefinitionChanged changed, long time) {
        if (changed.getDefinition() == null) {
            definitions.delete(changed.getSegmentId());
            segments.remove(changed.getSegmentId());
        } else {
            definitions.put(changed.getSegmentId(), changed.getDefinition());
            // every version is kept, also after the segment is deleted (GET /segments/{id}/versions)
            versions.put(Names.segmentVersionKey(changed.getDefinition().getId(), changed.getDefinition().getVersion()),
                    ValueAndTimestamp.make(changed.getDefinition(), time));
            install(changed.getSegmentId(), changed.getDefinition());
        }
        passRequested = true;
    }

    private void install(String id, SegmentDefinition definition) {
        try {
            segments.put(id, Segment.compile(definition));
        } catch (InvalidRuleException e) {
            // admitted upstream by the same compiler, so only a newer version's rules end here
            LOG.error("Segment '{}' cannot be compiled by this version and is not evaluated: {}", id, e.getMessage());
        }
    }

    // ---- merges ------------------------------------------------------------------------------

    private void onMerge(String mergedId, CustomerState state, MergeRequest merge, long time) {
        String survivor = merge.getSurvivorId();
        if (state != null) {
            CustomerState moving = CustomerState.newBuilder(state).setMemberships(new ArrayList<>())
                    .setIndexKey(null).setLastScore(-1).build();
            toCustomer(survivor, new Absorb(mergedId, moving), time);
            remove(mergedId, state, ExitReasons.MERGED, time);
        }
        // a redirect: whatever still arrives for the merged id (in flight, or a consent recorded
        // under the old id) reaches the survivor
        states.put(mergedId, CustomerState.newBuilder().setRedirectTo(survivor).build());
    }

    private void onAbsorb(String id, CustomerState state, Absorb absorb, long time) {
        if (state == null) {
            state = CustomerState.newBuilder().build();
        }
        CustomerState moved = absorb.getState();
        for (AccountState account : moved.getAccounts()) {
            account.setMergedVia(absorb.getMergedId()); // an unmerge of that id gives it back
            AccountState existing = find(state, account.getAccountKey());
            if (existing == null) {
                state.getAccounts().add(account);
            } else {
                updates.absorb(existing, account);
            }
            // the survivor re-links the accounts only now that it holds them: anything routed to it
            // from here on finds its account
            AccountCommand relink = new AccountCommand(new Relink(id));
            context().forward(new Record<>(account.getAccountKey(), new Routed.ToAccounts(relink), time));
        }
        Set<String> mergedFrom = new java.util.LinkedHashSet<>(state.getMergedFrom());
        mergedFrom.add(absorb.getMergedId());
        mergedFrom.addAll(moved.getMergedFrom());
        mergedFrom.remove(id);
        state.setMergedFrom(new ArrayList<>(mergedFrom));
        refresh(id, state, now(time, state), time, Refresh.CONSENT);
    }

    /**
     * Undoes a merge on the survivor: the accounts that came with the merged id (or those named)
     * leave with their per-account state, which is all a customer's counters are made of, and go
     * back to the merged id; the survivor is recomputed. Nothing to give back and the id no longer
     * merged here: a repeated unmerge, nothing happens.
     */
    private void onUnmerge(String id, CustomerState state, UnmergeRequest unmerge, long time) {
        if (state == null) {
            return;
        }
        String restoredId = unmerge.getMergedId();
        Set<String> named = new HashSet<>(unmerge.getAccountKeys());
        List<AccountState> giving = state.getAccounts().stream()
                .filter(a -> named.isEmpty() ? restoredId.equals(a.getMergedVia()) : named.contains(a.getAccountKey())).toList();
        List<String> mergedFrom = new ArrayList<>(state.getMergedFrom());
        boolean wasMerged = mergedFrom.remove(restoredId);
        if (giving.isEmpty() && !wasMerged) {
            return;
        }
        state.setMergedFrom(mergedFrom);
        state.getAccounts().removeAll(giving);
        List<AccountState> back = new ArrayList<>();
        for (AccountState account : giving) {
            back.add(AccountState.newBuilder(account).setMergedVia(null).build());
        }
        toCustomer(restoredId, new Restore(id, CustomerState.newBuilder().setAccounts(back).build()), time);
        LOG.info("Unmerge: {} account(s) given back", back.size());
        if (state.getAccounts().isEmpty()) {
            remove(id, state, "no linked account left: unmerged", time);
        } else {
            refresh(id, state, now(time, state), time, Refresh.CONSENT);
        }
    }

    /** The restored side of an unmerge: its redirect gives way to the accounts given back, re-linked to it. */
    private void onRestore(String id, CustomerState state, Restore restore, long time) {
        CustomerState restored = state == null || state.getRedirectTo() != null ? CustomerState.newBuilder().build() : state;
        for (AccountState account : restore.getState().getAccounts()) {
            restored.getAccounts().removeIf(a -> a.getAccountKey().equals(account.getAccountKey()));
            restored.getAccounts().add(account);
            context().forward(new Record<>(account.getAccountKey(), new Routed.ToAccounts(new AccountCommand(new Relink(id))), time));
        }
        if (restored.getAccounts().isEmpty()) {
            states.delete(id); // no account came back: only the redirect goes
            return;
        }
        refresh(id, restored, now(time, restored), time, Refresh.CONSENT);
    }

    private void onRedirected(String id, CustomerState redirect, CustomerEvent event, long time) {
        Object inner = event.getEvent();
        if (inner instanceof EraseRequest erase) {
            states.delete(id);
            context().forward(new Record<>(id, new Routed.ToAccessReports(null), time));
            if (!erase.getRedirectCleanup()) {
                String requestedFor = erase.getRequestedFor() != null ? erase.getRequestedFor() : id;
                toCustomer(redirect.getRedirectTo(), new EraseRequest(erase.getRequestId(), requestedFor, false), time);
            }
        } else if (inner instanceof MergeRequest) {
            LOG.warn("Ignored a merge of a customer that was already merged into another");
        } else if (!(inner instanceof AccountErased)) {
            toCustomer(redirect.getRedirectTo(), inner, time);
        }
    }

    /** Answers an access request with everything held about the customer (access-reports), or that nothing is. */
    private void onAccess(String id, CustomerState state, AccessRequested access, long time) {
        boolean held = state != null && state.getRedirectTo() == null && !state.getAccounts().isEmpty();
        String document;
        if (held) {
            long asOf = now(time, state);
            ProfileBuilder.Built built = builder.build(id, state, asOf, distribution);
            document = AccessReports.held(id, state, built, builder.hoursOfWeek(state, asOf),
                    segment -> segmentIndex.get(MemberKey.of(segment, id)), contacts.plan(id), asOf).toString();
        } else {
            document = AccessReports.nothingHeld(id, state == null ? null : state.getRedirectTo(), time).toString();
        }
        AccessReport report = AccessReport.newBuilder().setRequestId(access.getRequestId()).setCustomerId(id)
                .setGeneratedAt(Instant.ofEpochMilli(time)).setHeld(held).setReport(document).build();
        context().forward(new Record<>(id, new Routed.ToAccessReports(report), time));
    }

    /**
     * Writes what stream time has made due since the last look: the stream-time punctuation runs
     * after a batch of records, which in a fast replay can span hours of event time; a look after
     * each activity (the head of an ordered set: nothing to do most of the time) keeps the moment.
     */
    private void dueContacts() {
        long streamTime = context().currentStreamTimeMs();
        if (contacts.anyDue(streamTime)) {
            contacts.due(streamTime, this::contact);
        }
    }

    /** Writes a contact opportunity, due or cancelled, to contact-opportunities. */
    private void contact(ContactOpportunity opportunity) {
        context().forward(new Record<>(opportunity.getCustomerId(), new Routed.ToContactOpportunities(opportunity),
                opportunity.getAt().toEpochMilli()));
    }

    private void toCustomer(String customerId, Object event, long time) {
        AccountCommand forward = new AccountCommand(new Forward(customerId, new CustomerEvent(event)));
        context().forward(new Record<>(customerId, new Routed.ToAccounts(forward), time));
    }

    // ---- erasure -----------------------------------------------------------------------------

    private void onErase(String id, CustomerState state, EraseRequest erase, long time) {
        if (erase.getRedirectCleanup()) {
            return; // the redirect is gone already (it was deleted by onRedirected, or never existed)
        }
        String requestedFor = erase.getRequestedFor() != null ? erase.getRequestedFor() : id;
        boolean viaRedirect = !requestedFor.equals(id);
        if (state == null) {
            context().forward(new Record<>(requestedFor, new Routed.ToAccessReports(null), time)); // a report that said nothing was held
            receipt(requestedFor, erase.getRequestId(), viaRedirect, 0, List.of(),
                    viaRedirect ? Map.of(Names.CUSTOMER_STATE, 1L) : Map.of(), time);
            return;
        }
        List<String> accounts = state.getAccounts().stream().map(AccountState::getAccountKey).toList();
        List<String> exited = liveSegments(state);
        Map<String, Long> removed = remove(id, state, ExitReasons.ERASED, time);
        if (viaRedirect || !state.getMergedFrom().isEmpty()) {
            removed.merge(Names.CUSTOMER_STATE, (long) state.getMergedFrom().size() + (viaRedirect ? 1 : 0), Long::sum);
        }
        for (String merged : state.getMergedFrom()) {
            if (!merged.equals(requestedFor)) {
                toCustomer(merged, new EraseRequest(erase.getRequestId(), null, true), time);
            }
        }
        if (accounts.isEmpty()) {
            receipt(requestedFor, erase.getRequestId(), true, 0, exited, removed, time);
            return;
        }
        pendingErasures.put(id, PendingErasure.newBuilder().setRequestId(erase.getRequestId())
                .setRequestedFor(requestedFor).setAccountsPending(new ArrayList<>(accounts)).setSegmentsExited(exited)
                .setRemoved(new LinkedHashMap<>(removed)).build());
        for (String account : accounts) {
            AccountCommand command = new AccountCommand(new EraseAccount(id, erase.getRequestId()));
            context().forward(new Record<>(account, new Routed.ToAccounts(command), time));
        }
    }

    private void onAccountErased(String id, AccountErased erased, long time) {
        PendingErasure pending = pendingErasures.get(id);
        if (pending == null || !pending.getRequestId().equals(erased.getRequestId())) {
            return;
        }
        pending.setAccountsPending(new ArrayList<>(pending.getAccountsPending()));
        if (!pending.getAccountsPending().remove(erased.getAccountKey())) {
            return;
        }
        pending.setAccountsRemoved(pending.getAccountsRemoved() + 1);
        Map<String, Long> removed = pending.getRemoved();
        removed.merge(Names.ACCOUNT_CONSENTS, erased.getRecords(), Long::sum);
        removed.merge("topic:" + settings.topics().consents.name(), 1L, Long::sum);
        removed.merge("topic:" + settings.topics().socialProfiles.name(), 1L, Long::sum);
        removed.merge("topic:" + settings.topics().accountDirectory.name(), 1L, Long::sum);
        if (pending.getAccountsPending().isEmpty()) {
            pendingErasures.delete(id);
            receipt(pending.getRequestedFor(), pending.getRequestId(), true, pending.getAccountsRemoved(),
                    pending.getSegmentsExited(), removed, time);
        } else {
            pendingErasures.put(id, pending);
        }
    }

    private void receipt(String customerId, String requestId, boolean held, int accounts, List<String> exited,
                         Map<String, Long> removed, long time) {
        List<ErasureAction> actions = new ArrayList<>();
        removed.forEach((place, count) -> {
            boolean topic = place.startsWith("topic:");
            actions.add(new ErasureAction(topic ? place.substring(6) : place,
                    topic ? ErasureTargetKind.TOPIC : ErasureTargetKind.STATE_STORE, count));
        });
        ErasureReceipt receipt = ErasureReceipt.newBuilder().setRequestId(requestId).setCustomerId(customerId)
                .setHeldData(held).setAccountsRemoved(accounts).setSegmentsExited(new ArrayList<>(exited))
                .setRemoved(actions).setCompletedAt(Instant.ofEpochMilli(context().currentSystemTimeMs())).build();
        context().forward(new Record<>(customerId, new Routed.ToReceipts(receipt), time));
        settings.counters().increment(Counter.ERASURES_COMPLETED);
        LOG.info("Erasure request completed (held data: {}, accounts: {}, segments exited: {})", held, accounts, exited.size());
    }

    // ---- sweeps and the influence distribution ------------------------------------------------

    private void tick(long wallNow) {
        writeTakeUp(wallNow);
        idleContacts(wallNow);
        reloadDistribution();
        top.sync();
        if (!passRunning && (passRequested || wallNow - lastPassStart >= settings.refreshInterval().toMillis())) {
            passRunning = true;
            passRequested = false;
            lastPassStart = wallNow;
            cursor = null;
            passSketch = KllDoublesSketch.newHeapInstance(settings.sketchK());
            passValues = 17;
            top.beginPass();
        }
        if (passRunning) {
            step();
        }
    }

    /**
     * One bounded step of a sweep: at most {@code segments.sweep.batch} customers and at most
     * {@code segments.sweep.budget} of time, so that sweeping never starves record processing.
     */
    private void step() {
        long deadline = nanoClock.getAsLong() + settings.sweepBudget().toNanos();
        long streamTime = context().currentStreamTimeMs();
        // read first, then write: the store is not modified while its iterator is open
        List<KeyValue<String, CustomerState>> batch = new ArrayList<>(Math.min(settings.sweepBatch(), 4096));
        try (KeyValueIterator<String, CustomerState> it = cursor == null ? states.all() : states.range(cursor, null)) {
            while (it.hasNext() && batch.size() < settings.sweepBatch()) {
                KeyValue<String, CustomerState> next = it.next();
                if (!next.key.equals(cursor)) {
                    batch.add(next);
                }
            }
        }
        boolean exhausted = batch.size() < settings.sweepBatch();
        for (KeyValue<String, CustomerState> entry : batch) {
            if (nanoClock.getAsLong() > deadline) {
                exhausted = false;
                break;
            }
            cursor = entry.key;
            CustomerState state = mutable(entry.value);
            if (state.getRedirectTo() == null) {
                long now = Math.max(streamTime, state.getRefreshedAt());
                double raw = refresh(entry.key, state, now, now, Refresh.SWEEP);
                passSketch.update(raw);
                passValues = passValues * 31 + Double.hashCode(raw);
            }
        }
        if (exhausted) {
            passRunning = false;
            top.completePass();
            // a pass over the same raw values publishes nothing: a KLL sketch compacts at random, so
            // publishing it again would move everyone's percentile a little, and the next pass would
            // emit profiles and segment changes for nothing, for ever (a replay would never settle)
            if (passValues != publishedValues) {
                publishedValues = passValues;
                byte[] sketch = passSketch.toByteArray();
                context().forward(new Record<>(distributionKey, new Routed.ToDistribution(sketch), Math.max(streamTime, 0)));
                awaitingOwnSketch = true;
            }
            passSketch = null;
        }
    }

    /**
     * Stream time moves only with the task's records: in a quiet hour (no record for this partition),
     * an opportunity would wait for the next one. While stream time stands still, it is taken to
     * move on with the wall clock from where it stopped, so that what is due is written on time.
     */
    private void idleContacts(long wallNow) {
        long streamTime = context().currentStreamTimeMs();
        if (streamTime != streamTimeSeen) {
            streamTimeSeen = streamTime;
            streamTimeMovedAt = wallNow;
        } else if (streamTime >= 0 && wallNow - streamTimeMovedAt >= CONTACT_CHECK.toMillis()) {
            contacts.due(streamTime + (wallNow - streamTimeMovedAt), this::contact);
        }
    }

    /** Writes the partition's take-up when it changed, at most once a second (one record per change of a consent otherwise). */
    private void writeTakeUp(long wallNow) {
        if (takeUpChanged && wallNow - takeUpWrittenAt >= TAKE_UP_EVERY_MS) {
            takeUpChanged = false;
            takeUpWrittenAt = wallNow;
            long at = Math.max(context().currentStreamTimeMs(), 0);
            context().forward(new Record<>(distributionKey, new Routed.ToTakeUp(takeUp.toRecord(context().taskId().partition(), at)), at));
        }
    }

    /** Re-reads the published sketches; true if they changed. */
    private boolean reloadDistribution() {
        try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> all = distributionStore.all()) {
            if (!published.reload(all)) {
                return false;
            }
        }
        boolean ranked = distribution.ranks();
        distribution = published.distribution();
        // the first usable distribution turns every score from 0 into a rank: re-evaluate at once
        // rather than at the next refresh (up to segments.refresh.interval later)
        passRequested |= !ranked && distribution.ranks();
        return true;
    }
}
