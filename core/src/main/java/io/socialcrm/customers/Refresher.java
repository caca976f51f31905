package io.socialcrm.customers;

import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.common.Routed;
import io.socialcrm.contract.ChangeTrigger;
import io.socialcrm.contract.MemberKey;
import io.socialcrm.influence.InfluenceModel;
import io.socialcrm.segments.MinimumDwell;
import io.socialcrm.segments.ProfileView;
import io.socialcrm.segments.Segment;
import io.socialcrm.segments.SegmentEvaluator;
import io.socialcrm.segments.SegmentEvaluator.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A customer's refresh after every change, and for sweeps: the profile rebuilt, every segment
 * evaluated, the transitions applied to the memberships (minimum dwell, SHADOW segments, contact
 * plans of campaign segments) and written ({@code segment-changes}, {@code segment-members}), the
 * profile emitted ({@code customer-profiles}) and the state stored.
 */
final class Refresher {
    /** A sweep emits a profile when segments change or the score moved this much. */
    private static final double SCORE_STEP = 1.0;
    private static final int TOP_CONTEXTS = 3;

    /** Why a customer is refreshed. */
    enum Why {
        /** Activity, a credit, a profile update or an account linked. */
        EVENT,
        /** Scopes narrowed, an account unlinked, or a merge: segment exits it causes do not wait for a minimum dwell. */
        CONSENT,
        /** A sweep: time passed. */
        SWEEP
    }

    private final CustomerStage stage;
    private final InfluenceModel model;
    private final ProfileBuilder builder;
    private final SegmentEvaluator evaluator;

    Refresher(CustomerStage stage, ProfileBuilder builder) {
        this.stage = stage;
        this.model = stage.settings.influence();
        this.builder = builder;
        this.evaluator = new SegmentEvaluator(stage.settings.counters());
    }

    /**
     * A refresh after a change the record at {@code time} brought ({@link Why#EVENT} or
     * {@link Why#CONSENT}), computed as of the customer's own clock ({@link CustomerStage#now}).
     */
    void afterChange(String id, CustomerState state, long time, Why why) {
        refresh(id, state, CustomerStage.now(time, state), time, why);
    }

    /** Rebuilds the profile, applies segment transitions, writes outputs; returns the raw influence. */
    double refresh(String id, CustomerState state, long now, long time, Why why) {
        boolean sweep = why == Why.SWEEP;
        ProfileBuilder.Built built = builder.build(id, state, now, stage.distribution);
        CustomerProfile profile = built.profile();
        ProfileView view = new ProfileView(profile, built.daysSinceActivity());
        boolean changed = !sweep;
        List<Transition> transitions = new ArrayList<>();
        changed |= transitions(state, view, time, why == Why.CONSENT, transitions);
        for (Transition t : transitions) {
            apply(id, state, t, profile, time, sweep ? ChangeTrigger.SWEEP : ChangeTrigger.EVENT);
        }
        if (!transitions.isEmpty()) {
            profile.setSegments(CustomerStage.liveSegments(state));
            changed = true;
        }
        if (why == Why.CONSENT && !profile.getContactable()) { // MESSAGING scope narrowed or unlinked: only then
            stage.contacts.cancel(id, ContactPlans.MESSAGING_REVOKED, false, time, stage::contact);
        }
        double raw = model.raw(built.totals());
        stage.top.offer(id, raw);
        if (state.getIndexKey() != null) {
            state.setIndexKey(null); // written by versions that kept the ranking in a changelogged store
            changed = true;
        }
        double score = profile.getInfluence().getScore();
        if (!sweep || !transitions.isEmpty() || Math.abs(score - state.getLastScore()) >= SCORE_STEP) {
            state.setLastScore((float) score);
            state.setRefreshedAt(now);
            stage.profiles.write(id, profile, time);
            changed = true;
        }
        if (changed) {
            stage.states.put(id, state);
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
        for (Segment segment : stage.segments.values()) {
            boolean member = members.remove(segment.key());
            Transition t = evaluator.evaluate(segment, view, member);
            if (member) {
                Membership m = CustomerStage.membership(state, segment.key());
                Long dueBefore = m.getExitDueSince();
                t = MinimumDwell.apply(segment, m, t, time, consentChanged);
                changed |= !Objects.equals(dueBefore, m.getExitDueSince());
            }
            if (t != null) {
                out.add(t);
            }
        }
        for (String gone : members) {
            Membership m = CustomerStage.membership(state, gone);
            out.add(new Transition(gone, MembershipChange.EXITED, Segment.isShadowKey(gone)
                    ? "shadow ended (promoted, superseded or deleted)" : "segment deleted", m.getDefinitionVersion()));
        }
        return changed;
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
            stage.segmentIndex.put(memberKey, membership);
            stage.forward(memberKey, new Routed.ToSegmentMembers(membership), time);
            Segment segment = stage.segments.get(t.segmentId());
            if (segment != null && segment.campaign() && profile.getContactable()) {
                plan(id, state, t.segmentId(), t.definitionVersion(), t.reason(), time);
            }
        } else {
            state.getMemberships().removeIf(m -> m.getSegmentId().equals(t.segmentId()));
            stage.segmentIndex.delete(memberKey);
            stage.forward(memberKey, new Routed.ToSegmentMembers(null), time);
            Segment segment = stage.segments.get(t.segmentId());
            if ((segment == null || segment.campaign())
                    && stage.contacts.cancelFor(id, t.segmentId(), ContactPlans.EXITED, time, stage::contact)
                    && profile.getContactable()) {
                planForAnotherCampaign(id, state, time);
            }
        }
        stage.settings.counters().increment(t.change() == MembershipChange.ENTERED ? Counter.SEGMENTS_ENTERED : Counter.SEGMENTS_EXITED);
        SegmentChange change = withFigures(CustomerStage.change(id, t.segmentId(), t.change(), t.reason(), t.definitionVersion(), time),
                profile);
        stage.context.forward(new Record<>(id, new Routed.ToSegmentChanges(change), time, trigger.headers()));
    }

    /** Schedules a contact opportunity for a campaign segment entered, unless the customer holds one already. */
    private boolean plan(String id, CustomerState state, String segmentId, int version, String reason, long time) {
        if (!stage.contacts.entered(id, segmentId, version, reason, builder.hoursOfWeek(state, time), time)) {
            return false;
        }
        // a moment stream time has passed already (the hour now running, or a customer whose records
        // come late) is written at once, not at the next move of stream time
        stage.contacts.due(stage.context.currentStreamTimeMs(), stage::contact);
        return true;
    }

    /**
     * After an exit cancelled the customer's opportunity: another campaign segment they are still in
     * (whose entry found the one now cancelled in place) gives one, with its entry's reason.
     */
    private void planForAnotherCampaign(String id, CustomerState state, long time) {
        for (Membership m : state.getMemberships()) {
            Segment other = stage.segments.get(m.getSegmentId());
            if (other != null && other.campaign()) {
                SegmentMembership entry = stage.segmentIndex.get(MemberKey.of(m.getSegmentId(), id));
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
        SegmentChange change = withFigures(CustomerStage.change(id, Segment.idOf(t.segmentId()), t.change(), t.reason(),
                t.definitionVersion(), time), profile);
        stage.context.forward(new Record<>(id, new Routed.ToShadowChanges(change), time, trigger.headers()));
    }

    /** The customer's figures at the change: score, top contexts, best hour, whether contactable. */
    private static SegmentChange withFigures(SegmentChange.Builder change, CustomerProfile profile) {
        return change.setInfluenceScore(profile.getInfluence().getScore())
                .setTopContexts(ProfileBuilder.topContexts(profile, TOP_CONTEXTS))
                .setBestHourOfWeek(profile.getBestHourOfWeek()).setContactable(profile.getContactable()).build();
    }
}
