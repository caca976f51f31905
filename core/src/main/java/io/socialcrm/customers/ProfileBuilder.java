package io.socialcrm.customers;

import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.Influence;
import io.socialcrm.avro.LinkedAccount;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.consent.AccountKeys;
import io.socialcrm.influence.Decay;
import io.socialcrm.influence.InfluenceDistribution;
import io.socialcrm.influence.InfluenceModel;
import io.socialcrm.influence.InfluenceTotals;
import io.socialcrm.segments.Segment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rolls a customer's per-account state up into a {@link CustomerProfile} as of a time: each
 * account's counters decayed to that time and summed, the influence rank from the distribution,
 * the strongest contexts, the most active hour of the week.
 */
public final class ProfileBuilder {
    /**
     * The time a customer's profile is computed as of: {@code atLeast} or the latest event of any of
     * its accounts, whichever is later.
     */
    public static long asOf(CustomerState state, long atLeast) {
        long asOf = atLeast;
        for (AccountState a : state.getAccounts()) {
            asOf = Math.max(asOf, Math.max(a.getAt(), a.getContextsAt()));
        }
        return asOf;
    }

    /** Contexts shown in a profile (the strongest). */
    public static final int PROFILE_CONTEXTS = 16;
    static final long DAY_MS = 86_400_000L;
    private static final double[] SCALES = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    /**
     * The hours of the week a profile is built from, one array a thread used again (a build is not
     * reentrant): a new one for every build was 1.3 KB, a tenth of what {@code Pipeline.activity}
     * allocated an activity.
     */
    private static final ThreadLocal<double[]> HOURS = ThreadLocal.withInitial(() -> new double[HourHistogram.HOURS]);

    private final InfluenceModel model;
    private final Decay contextDecay;

    public ProfileBuilder(InfluenceModel model, Decay contextDecay) {
        this.model = model;
        this.contextDecay = contextDecay;
    }

    /** A profile and the figures segment rules read besides it. */
    public record Built(CustomerProfile profile, InfluenceTotals totals, double daysSinceActivity) {
    }

    public Built build(String customerId, CustomerState state, long now, InfluenceDistribution distribution) {
        double shares = 0;
        double mentions = 0;
        double replies = 0;
        double likes = 0;
        double follows = 0;
        double engagers = 0;
        double activity = 0;
        double recent = 0;
        long followers = 0;
        boolean contactable = false;
        Long lastActivity = null;
        long firstLinked = Long.MAX_VALUE;
        Map<String, Double> contexts = new HashMap<>();
        double[] hours = HOURS.get();
        Arrays.fill(hours, 0);
        boolean anyHours = false;
        List<LinkedAccount> accounts = new ArrayList<>(state.getAccounts().size());
        for (AccountState a : state.getAccounts()) {
            double f = model.decay().factor(a.getAt(), now);
            shares += a.getShares() * f;
            mentions += a.getMentions() * f;
            replies += a.getReplies() * f;
            likes += a.getLikes() * f;
            follows += a.getFollows() * f;
            engagers += a.getEngagers() * f;
            activity += a.getActivity() * f;
            recent += a.getRecentEngagement() * model.momentumDecay().factor(a.getAt(), now);
            if (a.getScopes().contains(ConsentScope.PROFILE) && a.getFollowers() > 0) {
                followers += a.getFollowers();
            }
            contactable |= a.getScopes().contains(ConsentScope.MESSAGING);
            if (a.getLastActivityAt() != null && (lastActivity == null || a.getLastActivityAt() > lastActivity)) {
                lastActivity = a.getLastActivityAt();
            }
            firstLinked = Math.min(firstLinked, a.getLinkedAt());
            double fc = contextDecay.factor(a.getContextsAt(), now);
            for (Map.Entry<String, Float> c : a.getContexts().entrySet()) {
                contexts.merge(c.getKey(), c.getValue() * fc, Double::sum);
            }
            anyHours |= addHours(a, fc, hours);
            accounts.add(LinkedAccount.newBuilder().setAccountKey(a.getAccountKey()).setPlatform(AccountKeys.platformOf(a.getAccountKey()))
                    .setPlatformUserId(AccountKeys.userIdOf(a.getAccountKey())).setHandle(a.getHandle())
                    .setScopes(new ArrayList<>(a.getScopes())).setLinkedAt(Instant.ofEpochMilli(a.getLinkedAt())).build());
        }
        InfluenceTotals totals = new InfluenceTotals(shares, mentions, replies, likes, follows, engagers, followers, recent);
        double raw = model.raw(totals);
        double percentile = distribution.percentile(raw);
        Influence influence = Influence.newBuilder()
                .setRaw(round(raw, 4)).setPercentile(round(percentile, 4))
                .setScore(InfluenceDistribution.score(percentile)).setFollowers(followers)
                .setSharesReceived(round(shares, 4)).setMentionsReceived(round(mentions, 4))
                .setRepliesReceived(round(replies, 4)).setLikesReceived(round(likes, 4))
                .setDistinctEngagers(round(engagers, 4)).setFollowsReceived(round(follows, 4))
                .setMomentum(round(model.momentum(totals), 3))
                .build();
        List<String> segments = new ArrayList<>(state.getMemberships().size());
        for (Membership m : state.getMemberships()) {
            if (!Segment.isShadowKey(m.getSegmentId())) { // a SHADOW segment's would-be membership is no membership
                segments.add(m.getSegmentId());
            }
        }
        segments.sort(null);
        long since = lastActivity != null ? Math.max(lastActivity, firstLinked) : firstLinked;
        double daysSince = firstLinked == Long.MAX_VALUE ? 0 : Math.max(0, (now - since) / (double) DAY_MS);
        CustomerProfile profile = CustomerProfile.newBuilder()
                .setCustomerId(customerId)
                .setAccounts(accounts)
                .setInfluence(influence)
                .setContexts(strongest(contexts))
                .setBestHourOfWeek(anyHours ? argMax(hours) : null)
                .setSegments(segments)
                .setContactable(contactable)
                .setLastActivityAt(lastActivity == null ? null : Instant.ofEpochMilli(lastActivity))
                .setActivityLevel(round(activity, 4))
                .setUpdatedAt(Instant.ofEpochMilli(now))
                .setModelVersion(model.version())
                .build();
        return new Built(profile, totals, daysSince);
    }

    /**
     * The {@value #PROFILE_CONTEXTS} strongest contexts of at least 0.001, strongest first (ties by id),
     * rounded: a bounded insertion into a small array rather than a sort of every context the
     * customer has (the same order as sorting all of them: {@code ProfileBuilderTest}).
     */
    static Map<String, Double> strongest(Map<String, Double> contexts) {
        @SuppressWarnings("unchecked")
        Map.Entry<String, Double>[] top = new Map.Entry[PROFILE_CONTEXTS];
        int n = 0;
        for (Map.Entry<String, Double> e : contexts.entrySet()) {
            if (!(e.getValue() >= 0.001) || n == PROFILE_CONTEXTS && !stronger(e, top[n - 1])) {
                continue;
            }
            int i = n < PROFILE_CONTEXTS ? n++ : n - 1;
            while (i > 0 && stronger(e, top[i - 1])) {
                top[i] = top[i - 1];
                i--;
            }
            top[i] = e;
        }
        Map<String, Double> strongest = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            strongest.put(top[i].getKey(), round(top[i].getValue(), 3));
        }
        return strongest;
    }

    /** Whether {@code a} comes before {@code b}: a higher value, or the same and a lower id. */
    private static boolean stronger(Map.Entry<String, Double> a, Map.Entry<String, Double> b) {
        int byValue = Double.compare(b.getValue(), a.getValue());
        return byValue < 0 || byValue == 0 && a.getKey().compareTo(b.getKey()) < 0;
    }

    /** The strongest contexts, strongest first. */
    public static List<String> topContexts(CustomerProfile profile, int n) {
        return profile.getContexts().entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(Map.Entry::getKey).toList();
    }

    /**
     * The customer's activity by hour of the week (168 weights, UTC, Monday 00:00 first), decayed to
     * {@code now} like its contexts: what {@code bestHourOfWeek} is the peak of.
     */
    public double[] hoursOfWeek(CustomerState state, long now) {
        double[] hours = new double[HourHistogram.HOURS];
        for (AccountState a : state.getAccounts()) {
            addHours(a, contextDecay.factor(a.getContextsAt(), now), hours);
        }
        return hours;
    }

    private static boolean addHours(AccountState a, double factor, double[] hours) {
        if (HourHistogram.isEmpty(a)) {
            return false;
        }
        HourHistogram.forEach(a, (hour, weight) -> hours[hour] += weight * factor);
        return true;
    }

    private static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    static double round(double value, int decimals) {
        double scale = SCALES[decimals]; // Math.pow(10, decimals), without computing it a dozen times a profile
        return Math.round(value * scale) / scale;
    }
}
