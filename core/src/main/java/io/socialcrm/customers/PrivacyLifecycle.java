package io.socialcrm.customers;

import io.socialcrm.avro.AccessReport;
import io.socialcrm.avro.ErasureAction;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.ErasureTargetKind;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.internal.AccessRequested;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.AccountErased;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.EraseAccount;
import io.socialcrm.avro.internal.EraseRequest;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.avro.internal.PendingErasure;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.common.CompactionMarkers;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.contract.ChangeTrigger;
import io.socialcrm.contract.ExitReasons;
import io.socialcrm.contract.MemberKey;
import io.socialcrm.segments.Segment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A customer's removal from the stage (last account unlinked, merged away, erased), erasure with its
 * receipt once every account stage has erased its part, and access requests (everything held, as a
 * report).
 */
final class PrivacyLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(PrivacyLifecycle.class);
    private final CustomerStage stage;
    private final ProfileBuilder builder;
    private final KeyValueStore<String, PendingErasure> pendingErasures;

    PrivacyLifecycle(CustomerStage stage, ProfileBuilder builder, KeyValueStore<String, PendingErasure> pendingErasures) {
        this.stage = stage;
        this.builder = builder;
        this.pendingErasures = pendingErasures;
    }

    /** Removes every trace of a customer from this stage; returns what was removed, by place. */
    Map<String, Long> remove(String id, CustomerState state, String reason, long time) {
        Map<String, Long> removed = new LinkedHashMap<>();
        float score = Math.max(0, state.getLastScore());
        long live = 0;
        for (Membership m : new ArrayList<>(state.getMemberships())) {
            boolean shadow = Segment.isShadowKey(m.getSegmentId());
            SegmentChange exit = CustomerStage.change(id, Segment.idOf(m.getSegmentId()), MembershipChange.EXITED, reason,
                            m.getDefinitionVersion(), time)
                    .setInfluenceScore(score).setTopContexts(List.of()).setBestHourOfWeek(null).setContactable(false).build();
            if (shadow) {
                stage.context.forward(new Record<>(id, new Routed.ToShadowChanges(exit), time, ChangeTrigger.EVENT.headers()));
                continue;
            }
            live++;
            String memberKey = MemberKey.of(m.getSegmentId(), id);
            stage.segmentIndex.delete(memberKey);
            stage.forward(memberKey, new Routed.ToSegmentMembers(null), time);
            stage.settings.counters().increment(Counter.SEGMENTS_EXITED);
            stage.context.forward(new Record<>(id, new Routed.ToSegmentChanges(exit), time, ChangeTrigger.EVENT.headers()));
        }
        removed.put(Names.SEGMENT_INDEX, live);
        removed.put("topic:" + stage.settings.topics().segmentMembers.name(), live);
        String cancelled = ExitReasons.ERASED.equals(reason) ? ContactPlans.ERASED
                : ExitReasons.MERGED.equals(reason) ? ContactPlans.MERGED : ContactPlans.NO_CONSENT_LEFT;
        if (stage.contacts.cancel(id, cancelled, true, time, stage::contact)) {
            removed.put(Names.CONTACT_PLANS, 1L);
        }
        if (stage.top.remove(id)) {
            removed.put(Names.INFLUENCE_INDEX, 1L);
        }
        stage.profiles.write(id, null, time);
        removed.put("topic:" + stage.settings.topics().customerProfiles.name(), 1L);
        // the customer's copy, if they ever asked for one (no store says whether they did: the tombstone always goes)
        stage.forward(id, new Routed.ToAccessReports(null), time);
        stage.states.delete(id);
        removed.put(Names.CUSTOMER_STATE, 1L);
        return removed;
    }

    void onErase(String id, CustomerState state, EraseRequest erase, long time) {
        if (erase.getRedirectCleanup()) {
            return; // the redirect is gone already (it was deleted by a redirect's erasure, or never existed)
        }
        String requestedFor = erase.getRequestedFor() != null ? erase.getRequestedFor() : id;
        boolean viaRedirect = !requestedFor.equals(id);
        if (state == null) {
            stage.forward(requestedFor, new Routed.ToAccessReports(null), time); // a report that said nothing was held
            receipt(requestedFor, erase.getRequestId(), viaRedirect, 0, List.of(),
                    viaRedirect ? Map.of(Names.CUSTOMER_STATE, 1L) : Map.of(), time);
            return;
        }
        List<String> accounts = state.getAccounts().stream().map(AccountState::getAccountKey).toList();
        List<String> exited = CustomerStage.liveSegments(state);
        Map<String, Long> removed = remove(id, state, ExitReasons.ERASED, time);
        if (viaRedirect || !state.getMergedFrom().isEmpty()) {
            removed.merge(Names.CUSTOMER_STATE, (long) state.getMergedFrom().size() + (viaRedirect ? 1 : 0), Long::sum);
        }
        for (String merged : state.getMergedFrom()) {
            if (!merged.equals(requestedFor)) {
                stage.toCustomer(merged, new EraseRequest(erase.getRequestId(), null, true), time);
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
            stage.forward(account, new Routed.ToAccounts(command), time);
        }
    }

    /**
     * The customer stage's compaction markers ({@link CompactionMarkers}): the marker key deleted in
     * each changelogged store that holds customers, a tombstone of it on each compacted output.
     */
    void appendCompactionMarkers(long now) {
        String key = CompactionMarkers.KEY;
        stage.states.delete(key);
        stage.segmentIndex.delete(key);
        stage.contacts.deleteMarker();
        pendingErasures.delete(key);
        for (var topic : List.of(stage.settings.topics().customerProfiles, stage.settings.topics().segmentMembers,
                stage.settings.topics().accessReports)) {
            stage.forward(key, new Routed.ToCompactionMarker(topic.name()), now);
        }
    }

    /** An erasure on a merged-away id: its redirect goes, and (unless this is the clean-up of one) the survivor is erased. */
    void onRedirectErased(String id, CustomerState redirect, EraseRequest erase, long time) {
        stage.states.delete(id);
        stage.forward(id, new Routed.ToAccessReports(null), time);
        if (!erase.getRedirectCleanup()) {
            String requestedFor = erase.getRequestedFor() != null ? erase.getRequestedFor() : id;
            stage.toCustomer(redirect.getRedirectTo(), new EraseRequest(erase.getRequestId(), requestedFor, false), time);
        }
    }

    void onAccountErased(String id, AccountErased erased, long time) {
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
        removed.merge("topic:" + stage.settings.topics().consents.name(), 1L, Long::sum);
        removed.merge("topic:" + stage.settings.topics().socialProfiles.name(), 1L, Long::sum);
        removed.merge("topic:" + stage.settings.topics().accountDirectory.name(), 1L, Long::sum);
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
                .setRemoved(actions).setCompletedAt(Instant.ofEpochMilli(stage.context.currentSystemTimeMs())).build();
        stage.forward(customerId, new Routed.ToReceipts(receipt), time);
        stage.settings.counters().increment(Counter.ERASURES_COMPLETED);
        LOG.info("Erasure request completed (held data: {}, accounts: {}, segments exited: {})", held, accounts, exited.size());
    }

    /** Answers an access request with everything held about the customer (access-reports), or that nothing is. */
    void onAccess(String id, CustomerState state, AccessRequested access, long time) {
        boolean held = state != null && state.getRedirectTo() == null && !state.getAccounts().isEmpty();
        String document;
        if (held) {
            long asOf = CustomerStage.now(time, state);
            ProfileBuilder.Built built = builder.build(id, state, asOf, stage.distribution);
            document = AccessReports.held(id, state, built, builder.hoursOfWeek(state, asOf),
                    segment -> stage.segmentIndex.get(MemberKey.of(segment, id)), stage.contacts.plan(id), asOf).toString();
        } else {
            document = AccessReports.nothingHeld(id, state == null ? null : state.getRedirectTo(), time).toString();
        }
        AccessReport report = AccessReport.newBuilder().setRequestId(access.getRequestId()).setCustomerId(id)
                .setGeneratedAt(Instant.ofEpochMilli(time)).setHeld(held).setReport(document).build();
        stage.forward(id, new Routed.ToAccessReports(report), time);
    }
}
