package io.socialcrm.influence;

/**
 * Weights of the terms of {@code raw}. Each term is {@code weight * ln(1 + value)}: logs, so that a
 * thousand times the audience is worth a few points, not a thousand times more.
 */
public record InfluenceWeights(double shares, double mentions, double replies, double likes, double engagers,
                               double follows, double followers) {
}
