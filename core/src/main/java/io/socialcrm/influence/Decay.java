package io.socialcrm.influence;

import java.time.Duration;

/**
 * Exponential decay in event time: a value v at time t is worth v * 2^(-(now - t) / halfLife) at
 * {@code now}. No half-life means no decay.
 */
public final class Decay {
    private final double lambdaPerMs;

    private Decay(double lambdaPerMs) {
        this.lambdaPerMs = lambdaPerMs;
    }

    public static Decay halfLife(Duration halfLife) {
        return halfLife == null ? none() : new Decay(Math.log(2) / halfLife.toMillis());
    }

    public static Decay none() {
        return new Decay(0);
    }

    public boolean isNone() {
        return lambdaPerMs == 0;
    }

    /** Factor that takes a value from {@code from} to {@code to} (at most 1: never grows). */
    public double factor(long from, long to) {
        if (lambdaPerMs == 0 || to <= from) {
            return 1.0;
        }
        return Math.exp(-lambdaPerMs * (to - from));
    }

    /**
     * Weight of an increment at {@code eventTime} in a value kept as of {@code asOf}: 1 for an event at
     * or after asOf (the value is first brought forward to it), less for a late event.
     */
    public double lateWeight(long eventTime, long asOf) {
        return eventTime >= asOf ? 1.0 : factor(eventTime, asOf);
    }

    /** Mean lifetime of a unit (halfLife / ln 2), in ms; infinite without decay. */
    public double meanLifetimeMs() {
        return lambdaPerMs == 0 ? Double.POSITIVE_INFINITY : 1 / lambdaPerMs;
    }
}
