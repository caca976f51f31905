package io.socialcrm.connectors.source;

import io.socialcrm.avro.SocialActivity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Data minimisation at the source: an activity is written only when an account with a GRANTED
 * consent (ACTIVITY scope) takes part in it, as the actor, the target or a mentioned account; every
 * other one is dropped in the connector and only counted. The consented set comes from a
 * {@link ConsentFollower} (plus accounts configured by hand) and is applied at most once per refresh
 * interval, so a grant or a revocation changes what is kept within that interval. The topology's
 * consent gate stays the authority: this filter only keeps strangers' activity out of Kafka.
 */
public final class ConsentFilter implements AutoCloseable {
    private static final long WAIT_FOR_CONSENTS_MS = 30_000;

    private final ConsentFollower follower;
    private final Set<String> configured;
    private final long refreshMs;
    private final LongSupplier clock;
    private final long created;
    private volatile Set<String> kept;
    private long appliedVersion = -1;
    private long lastRefresh;

    /**
     * @param follower   the consents (started; closed with this filter), or null to keep only {@code configured}
     * @param configured accounts (platform user ids) kept besides the consented ones
     */
    public ConsentFilter(ConsentFollower follower, Set<String> configured, long refreshMs, LongSupplier clock) {
        this.follower = follower;
        this.configured = Set.copyOf(configured);
        this.refreshMs = refreshMs;
        this.clock = clock;
        this.created = clock.getAsLong();
        this.kept = this.configured;
    }

    /**
     * True once the consents present at start have been read (or after 30 s, with what was read): a
     * stream opened before would drop consented accounts' events.
     */
    public boolean ready() {
        return follower == null || follower.caughtUp() || clock.getAsLong() - created >= WAIT_FOR_CONSENTS_MS;
    }

    /**
     * Applies changed consents, at most once per refresh interval; true when the set changed. Nothing
     * is applied before {@link #ready()}; the first set then applies at once (a partial set applied
     * while the consents load would hold back the whole set for an interval, dropping consented
     * accounts' events meanwhile).
     */
    public boolean refresh() {
        if (follower == null || !ready()) {
            return false;
        }
        long now = clock.getAsLong();
        long version = follower.version();
        if (version == appliedVersion || (appliedVersion >= 0 && now - lastRefresh < refreshMs)) {
            return false;
        }
        appliedVersion = version;
        lastRefresh = now;
        Set<String> next = new HashSet<>(configured);
        next.addAll(follower.followed());
        boolean changed = !next.equals(kept);
        kept = Set.copyOf(next);
        return changed;
    }

    /** True when a consented (or configured) account acts in, is the target of, or is mentioned by the activity. */
    public boolean keeps(SocialActivity activity) {
        Set<String> accounts = kept;
        if (accounts.contains(activity.getActorId())) {
            return true;
        }
        if (activity.getTargetUserId() != null && accounts.contains(activity.getTargetUserId())) {
            return true;
        }
        for (String mentioned : activity.getMentionedUserIds()) {
            if (accounts.contains(mentioned)) {
                return true;
            }
        }
        return false;
    }

    /** How many accounts are kept now. */
    public int size() {
        return kept.size();
    }

    /** The accounts kept now, in order: the same set gives the same list. */
    public List<String> accounts() {
        return new TreeSet<>(kept).stream().toList();
    }

    /** Stops reading the consents. */
    @Override
    public void close() {
        if (follower != null) {
            follower.close();
        }
    }
}
