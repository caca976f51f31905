package io.socialcrm.influence;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How influence is computed (Cha et al., ICWSM 2010: what people do with your posts says more than
 * how many follow you):
 *
 * <pre>
 * raw = w_shares   * ln(1 + shares received)       (shares and quotes)
 *     + w_mentions * ln(1 + mentions received)
 *     + w_replies  * ln(1 + replies received)      (replies and comments)
 *     + w_likes    * ln(1 + likes received)
 *     + w_engagers * ln(1 + distinct engagers)
 *     + w_follows  * ln(1 + new follows received)
 *     + w_followers* ln(1 + followers)             (latest profile snapshot, PROFILE scope)
 * </pre>
 *
 * every counter decayed with the influence half-life (default 30 days). With the default weights
 * (1.0, 0.8, 0.6, 0.3, 1.2, 0.3, 0.15) an account of 10 million followers and no engagement
 * (raw 2.4) ranks below one with 20 shares, 10 mentions, 10 replies from 15 people (raw 9.7):
 * followers cannot dominate. {@code momentum} compares the engagement rate over a short half-life
 * (7 days) with the rate over the long one: 1 when steady, above 1 when rising.
 */
public final class InfluenceModel {
    private final InfluenceWeights weights;
    private final Duration halfLife;
    private final Decay decay;
    private final Decay momentumDecay;
    private final String version;

    public InfluenceModel(InfluenceWeights weights, Duration halfLife, Duration momentumHalfLife) {
        this.weights = weights;
        this.halfLife = halfLife;
        this.decay = Decay.halfLife(halfLife);
        this.momentumDecay = halfLife == null ? Decay.none() : Decay.halfLife(momentumHalfLife);
        this.version = String.format(Locale.ROOT, "influence-v1(halflife=%s,momentum=%s,w=%s/%s/%s/%s/%s/%s/%s)",
                halfLife == null ? "off" : halfLife.toDays() + "d", momentumHalfLife.toDays() + "d",
                weights.shares(), weights.mentions(), weights.replies(), weights.likes(), weights.engagers(),
                weights.follows(), weights.followers());
    }

    public Decay decay() {
        return decay;
    }

    public Decay momentumDecay() {
        return momentumDecay;
    }

    /** The influence half-life, or null for no decay. */
    public Duration halfLife() {
        return halfLife;
    }

    public double raw(InfluenceTotals t) {
        return term(weights.shares(), t.shares())
                + term(weights.mentions(), t.mentions())
                + term(weights.replies(), t.replies())
                + term(weights.likes(), t.likes())
                + term(weights.engagers(), t.engagers())
                + term(weights.follows(), t.follows())
                + term(weights.followers(), Math.max(0, t.followers()));
    }

    /** Each counter's part of {@link #raw} (they add up to it), by the profile's names of the counters. */
    public Map<String, Double> contributions(InfluenceTotals t) {
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("sharesReceived", term(weights.shares(), t.shares()));
        parts.put("mentionsReceived", term(weights.mentions(), t.mentions()));
        parts.put("repliesReceived", term(weights.replies(), t.replies()));
        parts.put("likesReceived", term(weights.likes(), t.likes()));
        parts.put("distinctEngagers", term(weights.engagers(), t.engagers()));
        parts.put("followsReceived", term(weights.follows(), t.follows()));
        parts.put("followers", term(weights.followers(), Math.max(0, t.followers())));
        return parts;
    }

    private static double term(double weight, double count) {
        return weight * Math.log1p(count);
    }

    /** Recent engagement rate over the usual one; 1 without decay or without engagement. */
    public double momentum(InfluenceTotals t) {
        double engagement = t.engagement();
        if (decay.isNone() || engagement < 1e-9) {
            return 1.0;
        }
        double recentRate = t.recentEngagement() / momentumDecay.meanLifetimeMs();
        double usualRate = engagement / decay.meanLifetimeMs();
        return recentRate / usualRate;
    }

    /** Identifies the model and its settings in every profile ({@code modelVersion}). */
    public String version() {
        return version;
    }
}
