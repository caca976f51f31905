package io.socialcrm.customers;

import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.internal.AccountLinked;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CreditReceived;
import io.socialcrm.avro.internal.OwnActivity;
import io.socialcrm.avro.internal.ProfileUpdate;
import io.socialcrm.influence.Decay;
import io.socialcrm.influence.InfluenceModel;
import io.socialcrm.time.ContactPolicy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;

/**
 * The arithmetic of one account's state. Counters are exponentially decayed values kept as of a
 * time ({@code at}; {@code contextsAt} for contexts and hours): an update at a later time first
 * brings them forward, an increment at an earlier time (a late event) counts with the weight it has
 * lost, so a counter always equals the closed form sum of w_i * 2^(-(asOf - t_i)/halfLife).
 */
public final class AccountUpdates {
    /** lgK of the distinct-engager sketch: 1,024 buckets, about 3% error, at most ~0.6 kB per account. */
    static final int ENGAGER_LG_K = 10;
    private static final float MIN_WEIGHT = 0.005f;

    private final InfluenceModel model;
    private final Decay contextDecay;
    private final int maxContexts;
    private final long epochMs;

    public AccountUpdates(InfluenceModel model, Decay contextDecay, int maxContexts) {
        this.model = model;
        this.contextDecay = contextDecay;
        this.maxContexts = maxContexts;
        this.epochMs = model.halfLife() == null ? Long.MAX_VALUE : model.halfLife().toMillis();
    }

    /**
     * A newly linked account. Platform and platform user id are not stored: the account key holds
     * both ({@link #platform}, {@link #userId}); state written by older versions still has them.
     */
    public static AccountState newAccount(AccountLinked linked) {
        return AccountState.newBuilder()
                .setAccountKey(linked.getAccountKey()).setPlatform("")
                .setPlatformUserId("").setHandle(linked.getHandle())
                .setScopes(new ArrayList<>(linked.getScopes())).setLinkedAt(linked.getLinkedAt())
                .setAt(linked.getLinkedAt()).setContextsAt(linked.getLinkedAt())
                .setContexts(new HashMap<>()).setHours(new HashMap<>()).setHourWeights(ByteBuffer.allocate(0))
                .build();
    }

    /** A new consent for a linked account: handle and scopes follow it; state a narrowed scope no longer allows goes. */
    public static void relink(AccountState account, AccountLinked linked) {
        account.setHandle(linked.getHandle());
        List<ConsentScope> scopes = new ArrayList<>(linked.getScopes());
        if (!scopes.contains(ConsentScope.ACTIVITY)) {
            clearActivity(account);
        }
        if (!scopes.contains(ConsentScope.CONTENT)) {
            account.setContexts(new HashMap<>());
        }
        if (!scopes.contains(ConsentScope.PROFILE)) {
            account.setFollowers(-1);
            account.setFollowersAt(-1);
        }
        account.setScopes(scopes);
    }

    private static void clearActivity(AccountState a) {
        a.setShares(0);
        a.setMentions(0);
        a.setReplies(0);
        a.setLikes(0);
        a.setFollows(0);
        a.setEngagers(0);
        a.setActivity(0);
        a.setRecentEngagement(0);
        a.setEngagerSketch(null);
        a.setContexts(new HashMap<>());
        HourHistogram.clear(a);
        a.setLastActivityAt(null);
    }

    /** Brings the influence counters forward to {@code time}; returns the weight of an increment at {@code time}. */
    double advance(AccountState a, long time) {
        if (time > a.getAt()) {
            double f = model.decay().factor(a.getAt(), time);
            if (f != 1.0) {
                a.setShares(a.getShares() * f);
                a.setMentions(a.getMentions() * f);
                a.setReplies(a.getReplies() * f);
                a.setLikes(a.getLikes() * f);
                a.setFollows(a.getFollows() * f);
                a.setEngagers(a.getEngagers() * f);
                a.setActivity(a.getActivity() * f);
            }
            a.setRecentEngagement(a.getRecentEngagement() * model.momentumDecay().factor(a.getAt(), time));
            a.setAt(time);
            return 1.0;
        }
        return model.decay().lateWeight(time, a.getAt());
    }

    private double advanceContexts(AccountState a, long time) {
        if (time > a.getContextsAt()) {
            double f = contextDecay.factor(a.getContextsAt(), time);
            if (f != 1.0) {
                a.setContexts(scaled(a.getContexts(), f));
                HourHistogram.scale(a, f, MIN_WEIGHT);
            }
            a.setContextsAt(time);
            return 1.0;
        }
        return contextDecay.lateWeight(time, a.getContextsAt());
    }

    public void credit(AccountState a, CreditReceived credit) {
        long t = credit.getOccurredAt();
        double w = advance(a, t);
        switch (credit.getKind()) {
            case SHARE -> a.setShares(a.getShares() + w);
            case MENTION -> a.setMentions(a.getMentions() + w);
            case REPLY -> a.setReplies(a.getReplies() + w);
            case LIKE -> a.setLikes(a.getLikes() + w);
            case FOLLOW -> a.setFollows(a.getFollows() + w);
            default -> {
                return;
            }
        }
        a.setRecentEngagement(a.getRecentEngagement() + model.momentumDecay().lateWeight(t, a.getAt()));
        a.setEngagers(a.getEngagers() + w * newEngagers(a, credit.getEngagerHash(), t));
    }

    /**
     * Adds an engager to the sketch of the current epoch (one influence half-life long) and returns
     * how much the distinct estimate grew: summed over an epoch, exactly the epoch's estimate.
     */
    private double newEngagers(AccountState a, long engagerHash, long time) {
        long epoch = time / epochMs;
        HllSketch sketch;
        if (a.getEngagerSketch() == null || epoch > a.getEngagerEpoch()) {
            sketch = new HllSketch(ENGAGER_LG_K, TgtHllType.HLL_4);
            a.setEngagerEpoch(Math.max(epoch, a.getEngagerEpoch()));
        } else {
            sketch = HllSketch.heapify(toArray(a.getEngagerSketch()));
        }
        double before = sketch.getEstimate();
        sketch.update(engagerHash);
        double grown = sketch.getEstimate() - before;
        a.setEngagerSketch(ByteBuffer.wrap(sketch.toCompactByteArray()));
        return Math.max(0, grown);
    }

    public void activity(AccountState a, OwnActivity activity) {
        long t = activity.getOccurredAt();
        double w = advance(a, t);
        a.setActivity(a.getActivity() + w);
        if (a.getLastActivityAt() == null || t > a.getLastActivityAt()) {
            a.setLastActivityAt(t);
        }
        float wc = (float) advanceContexts(a, t);
        HourHistogram.add(a, hourOfWeek(t), wc);
        if (!activity.getContexts().isEmpty()) {
            Map<String, Float> contexts = a.getContexts();
            for (String context : activity.getContexts()) {
                contexts.merge(context, wc, Float::sum);
            }
            prune(contexts, maxContexts);
        }
        if (activity.getFollowers() != null && a.getScopes().contains(ConsentScope.PROFILE) && t >= a.getFollowersAt()) {
            a.setFollowers(activity.getFollowers());
            a.setFollowersAt(t);
        }
    }

    public static void profile(AccountState a, ProfileUpdate update) {
        if (a.getScopes().contains(ConsentScope.PROFILE) && update.getFetchedAt() >= a.getFollowersAt()) {
            a.setFollowers(update.getFollowers());
            a.setFollowersAt(update.getFetchedAt());
        }
    }

    /** Adds another state of the same account (a merge that brought it twice) into {@code a}. */
    public void absorb(AccountState a, AccountState other) {
        long t = Math.max(a.getAt(), other.getAt());
        advance(a, t);
        advance(other, t);
        a.setShares(a.getShares() + other.getShares());
        a.setMentions(a.getMentions() + other.getMentions());
        a.setReplies(a.getReplies() + other.getReplies());
        a.setLikes(a.getLikes() + other.getLikes());
        a.setFollows(a.getFollows() + other.getFollows());
        a.setEngagers(a.getEngagers() + other.getEngagers());
        a.setActivity(a.getActivity() + other.getActivity());
        a.setRecentEngagement(a.getRecentEngagement() + other.getRecentEngagement());
        long tc = Math.max(a.getContextsAt(), other.getContextsAt());
        advanceContexts(a, tc);
        advanceContexts(other, tc);
        other.getContexts().forEach((k, v) -> a.getContexts().merge(k, v, Float::sum));
        HourHistogram.absorb(a, other);
        prune(a.getContexts(), maxContexts);
        if (other.getLastActivityAt() != null
                && (a.getLastActivityAt() == null || other.getLastActivityAt() > a.getLastActivityAt())) {
            a.setLastActivityAt(other.getLastActivityAt());
        }
        if (other.getFollowersAt() > a.getFollowersAt()) {
            a.setFollowers(other.getFollowers());
            a.setFollowersAt(other.getFollowersAt());
        }
    }

    /** 0-167, UTC, Monday 00:00 = 0. */
    public static int hourOfWeek(long time) {
        return ContactPolicy.hourOfWeek(time);
    }

    private static Map<String, Float> scaled(Map<String, Float> values, double factor) {
        Map<String, Float> out = new HashMap<>(values.size() * 2);
        values.forEach((k, v) -> {
            float scaled = (float) (v * factor);
            if (scaled >= MIN_WEIGHT) {
                out.put(k, scaled);
            }
        });
        return out;
    }

    private static void prune(Map<String, Float> values, int max) {
        while (values.size() > max) {
            String weakest = null;
            float min = Float.MAX_VALUE;
            for (Map.Entry<String, Float> e : values.entrySet()) {
                if (e.getValue() < min || (e.getValue() == min && e.getKey().compareTo(weakest) > 0)) {
                    min = e.getValue();
                    weakest = e.getKey();
                }
            }
            values.remove(weakest);
        }
    }

    static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }
}
