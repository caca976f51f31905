package io.socialcrm.customers;

import io.socialcrm.avro.ConsentTakeUp;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.consent.AccountKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Cross-platform consent take-up of a partition's customers: how many are linked (have a consent in
 * force) on 1, 2 or 3+ platforms, on each platform, and on each pair of platforms. Counted whole from
 * the customer state when the task starts (after its restore), then kept current by the identity
 * events (a link, an unlink, a merge, an unmerge, an erasure) as each changes a customer's platforms:
 * held in memory only, it is always what the committed state says, and activity costs it nothing.
 */
final class TakeUpCount {
    private long customers;
    private final Map<String, Long> byPlatformCount = new TreeMap<>();
    private final Map<String, Long> byPlatform = new TreeMap<>();
    private final Map<String, Long> pairs = new TreeMap<>();

    /** The platforms a customer has an account linked on (none for a merged id's redirect or an unknown customer). */
    static Set<String> platforms(CustomerState state) {
        Set<String> platforms = new TreeSet<>();
        if (state != null && state.getRedirectTo() == null) {
            for (AccountState a : state.getAccounts()) {
                platforms.add(AccountKeys.platformOf(a.getAccountKey()));
            }
        }
        return platforms;
    }

    /** Counts a customer linked on {@code platforms} (nothing if none). */
    void add(Set<String> platforms) {
        change(platforms, 1);
    }

    /** Stops counting a customer that was linked on {@code platforms}. */
    void remove(Set<String> platforms) {
        change(platforms, -1);
    }

    private void change(Set<String> platforms, long by) {
        if (platforms.isEmpty()) {
            return;
        }
        customers += by;
        bump(byPlatformCount, platforms.size() >= 3 ? "3+" : Integer.toString(platforms.size()), by);
        List<String> sorted = new ArrayList<>(new TreeSet<>(platforms));
        for (int i = 0; i < sorted.size(); i++) {
            bump(byPlatform, sorted.get(i), by);
            for (int j = i + 1; j < sorted.size(); j++) {
                bump(pairs, sorted.get(i) + "+" + sorted.get(j), by);
            }
        }
    }

    private static void bump(Map<String, Long> counts, String key, long by) {
        long now = counts.getOrDefault(key, 0L) + by;
        if (now == 0) {
            counts.remove(key);
        } else {
            counts.put(key, now);
        }
    }

    ConsentTakeUp toRecord(int partition, long asOf) {
        return ConsentTakeUp.newBuilder().setPartition(partition).setCustomers(customers).setByPlatformCount(new TreeMap<>(byPlatformCount))
                .setByPlatform(new TreeMap<>(byPlatform)).setPairs(new TreeMap<>(pairs)).setAsOf(Instant.ofEpochMilli(asOf)).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TakeUpCount other && customers == other.customers && byPlatformCount.equals(other.byPlatformCount)
                && byPlatform.equals(other.byPlatform) && pairs.equals(other.pairs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(customers, byPlatformCount, byPlatform, pairs);
    }
}
