package io.socialcrm.influence;

/** A customer's influence counters, decayed to one time and summed over their accounts. */
public record InfluenceTotals(double shares, double mentions, double replies, double likes, double follows,
                              double engagers, long followers, double recentEngagement) {

    /** Engagement received over the long half-life: every kind of credit. */
    public double engagement() {
        return shares + mentions + replies + likes + follows;
    }
}
