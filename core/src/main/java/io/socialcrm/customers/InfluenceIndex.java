package io.socialcrm.customers;

/**
 * Rank keys of the top influencers (values of the {@code influence-index} store, keys of
 * {@link TopInfluencers}' ranking): ordered so that they sort customers by descending raw influence.
 * The key is 16 hex digits of (Long.MAX_VALUE - the raw's IEEE bits; raw is never negative, so
 * its bits order as the numbers do), then '/', then the customer id.
 */
public final class InfluenceIndex {
    private InfluenceIndex() {
    }

    public static String key(double raw, String customerId) {
        long bits = Double.doubleToLongBits(Math.max(0.0, raw));
        String hex = Long.toHexString(Long.MAX_VALUE - bits);
        return "0".repeat(16 - hex.length()) + hex + "/" + customerId;
    }

    public static double raw(String key) {
        long inverted = Long.parseUnsignedLong(key.substring(0, 16), 16);
        return Double.longBitsToDouble(Long.MAX_VALUE - inverted);
    }

    public static String customerId(String key) {
        return key.substring(17);
    }
}
