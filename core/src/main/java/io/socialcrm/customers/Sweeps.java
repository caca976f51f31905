package io.socialcrm.customers;

import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.common.RefreshPasses;
import io.socialcrm.common.Routed;
import io.socialcrm.influence.PublishedSketches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * What the customer stage does as time passes, on a wall-clock tick: sweeps that re-evaluate every
 * customer of the task in bounded steps (after a definition changes, and every
 * {@code segments.refresh.interval}) and then publish the KLL sketch of the partition's raw influence
 * to {@code influence-distribution}; the distribution every task published, re-read; contact
 * opportunities due while the partition is quiet; and the partition's consent take-up.
 */
final class Sweeps {
    private static final long TAKE_UP_EVERY_MS = 1_000;
    /** States read from the store at a time within a sweep step. */
    static final int READ_CHUNK = 128;

    private final CustomerStage stage;
    private final Refresher refresher;
    private final LongSupplier nanoClock;
    private final PublishedSketches published;
    private final KeyValueStore<String, ValueAndTimestamp<byte[]>> distributionStore;
    private final String distributionKey;
    private final Duration contactCheck;
    /** Set when this task published a sketch the global table may not show yet. */
    private boolean awaitingOwnSketch;
    private long lastDistributionCheck;

    private boolean passRequested = true;
    private boolean passRunning;
    /** The last {@link RefreshPasses} request when the running (or, between passes, the last) pass began. */
    private long passServes;
    private String cursor;
    private long lastPassStart = Long.MIN_VALUE / 2;
    private KllDoublesSketch passSketch;
    /** A hash of the raw values of the running pass, in the order swept, and of the last one published. */
    private long passValues;
    private long publishedValues = Long.MIN_VALUE;
    /** The partition's cross-platform consent take-up, and whether it changed since it was last written. */
    private final TakeUpCount takeUp = new TakeUpCount();
    private boolean takeUpChanged = true;
    private long takeUpWrittenAt = Long.MIN_VALUE / 2;
    /** The task's stream time as last seen by the wall-clock tick, and the wall-clock time it last moved. */
    private long streamTimeSeen = -1;
    private long streamTimeMovedAt;

    Sweeps(CustomerStage stage, Refresher refresher, LongSupplier nanoClock,
           KeyValueStore<String, ValueAndTimestamp<byte[]>> distributionStore, Duration contactCheck) {
        this.stage = stage;
        this.refresher = refresher;
        this.nanoClock = nanoClock;
        this.distributionStore = distributionStore;
        this.contactCheck = contactCheck;
        this.published = new PublishedSketches(stage.settings.applicationId(), stage.settings.sketchK(), stage.settings.minPopulation());
        this.distributionKey = stage.settings.applicationId() + "/" + stage.context.taskId().partition();
        // counted whole once the state is restored (a revived task starts again from here), then kept current
        try (KeyValueIterator<String, CustomerState> all = stage.states.all()) {
            all.forEachRemaining(kv -> takeUp.add(TakeUpCount.platforms(kv.value)));
        }
        reloadDistribution();
    }

    /** A definition changed: every customer is evaluated again, starting at the next tick. */
    void requestPass() {
        passRequested = true;
    }

    /** The platforms a customer is on changed (a link, an unlink, a merge, an erasure). */
    void platformsChanged(Set<String> before, Set<String> after) {
        if (!before.equals(after)) {
            takeUp.remove(before);
            takeUp.add(after);
            takeUpChanged = true;
        }
    }

    /** Before a record: after this task published a sketch, looks (at most every 100 ms) whether the global table shows it. */
    void beforeRecord() {
        if (awaitingOwnSketch && stage.context.currentSystemTimeMs() - lastDistributionCheck >= 100) {
            lastDistributionCheck = stage.context.currentSystemTimeMs();
            if (reloadDistribution()) {
                awaitingOwnSketch = false;
            }
        }
    }

    void tick(long wallNow) {
        // what waits for the commit reaches the store now too: interactive queries read the store, and
        // under at-least-once a commit can be half a minute away
        stage.states.flush();
        writeTakeUp(wallNow);
        idleContacts(wallNow);
        reloadDistribution();
        stage.top.sync();
        long asked = stage.settings.passes().requested();
        if (!passRunning && (passRequested || asked > passServes
                || wallNow - lastPassStart >= stage.settings.refreshInterval().toMillis())) {
            passRunning = true;
            passRequested = false;
            passServes = asked;
            lastPassStart = wallNow;
            cursor = null;
            passSketch = KllDoublesSketch.newHeapInstance(stage.settings.sketchK());
            passValues = 17;
            stage.top.beginPass();
        }
        if (passRunning) {
            step();
        }
    }

    /**
     * One bounded step of a sweep: at most {@code segments.sweep.batch} customers and at most
     * {@code segments.sweep.budget} of time, so that sweeping never starves record processing. The
     * states are read from the store {@value #READ_CHUNK} at a time, each chunk refreshed before the
     * next is read: reading the whole batch first decoded, in a step whose budget ended after a few
     * hundred customers, up to 2,000 states that the next step read again (a pass in {@code bench}
     * took 10 % of the stream thread for half a minute, most of it decoding states it did not use).
     */
    private void step() {
        long deadline = nanoClock.getAsLong() + stage.settings.sweepBudget().toNanos();
        long streamTime = stage.context.currentStreamTimeMs();
        int left = stage.settings.sweepBatch();
        while (left > 0) {
            int wanted = Math.min(left, READ_CHUNK);
            List<KeyValue<String, CustomerState>> chunk = read(wanted);
            for (KeyValue<String, CustomerState> entry : chunk) {
                if (nanoClock.getAsLong() > deadline) {
                    return; // the pass goes on from the cursor at the next tick
                }
                cursor = entry.key;
                left--;
                CustomerState state = CustomerStage.mutable(entry.value);
                if (state.getRedirectTo() == null) {
                    long now = Math.max(streamTime, state.getRefreshedAt());
                    double raw = refresher.refresh(entry.key, state, now, now, Refresher.Why.SWEEP);
                    passSketch.update(raw);
                    passValues = passValues * 31 + Double.hashCode(raw);
                }
            }
            if (chunk.size() < wanted) {
                completePass(streamTime);
                return;
            }
        }
    }

    /**
     * The next {@code wanted} states after the cursor (fewer at the end of the store). Read first, then
     * refreshed: the store is not written while its iterator is open (the iterator writes what waits
     * in the heap first, so it sees the states refreshed by the chunk before).
     */
    private List<KeyValue<String, CustomerState>> read(int wanted) {
        List<KeyValue<String, CustomerState>> chunk = new ArrayList<>(wanted);
        try (KeyValueIterator<String, CustomerState> it = cursor == null ? stage.states.all() : stage.states.range(cursor, null)) {
            while (it.hasNext() && chunk.size() < wanted) {
                KeyValue<String, CustomerState> next = it.next();
                if (!next.key.equals(cursor)) {
                    chunk.add(next);
                }
            }
        }
        return chunk;
    }

    private void completePass(long streamTime) {
        passRunning = false;
        stage.settings.passes().completed(stage.context.taskId(), passServes);
        stage.top.completePass();
        // a pass over the same raw values publishes nothing: a KLL sketch compacts at random, so
        // publishing it again would move everyone's percentile a little, and the next pass would
        // emit profiles and segment changes for nothing, for ever (a replay would never settle)
        if (passValues != publishedValues) {
            publishedValues = passValues;
            byte[] sketch = passSketch.toByteArray();
            stage.forward(distributionKey, new Routed.ToDistribution(sketch), Math.max(streamTime, 0));
            awaitingOwnSketch = true;
        }
        passSketch = null;
    }

    /**
     * Stream time moves only with the task's records: in a quiet hour (no record for this partition),
     * an opportunity would wait for the next one. While stream time stands still, it is taken to
     * move on with the wall clock from where it stopped, so that what is due is written on time.
     */
    private void idleContacts(long wallNow) {
        long streamTime = stage.context.currentStreamTimeMs();
        if (streamTime != streamTimeSeen) {
            streamTimeSeen = streamTime;
            streamTimeMovedAt = wallNow;
        } else if (streamTime >= 0 && wallNow - streamTimeMovedAt >= contactCheck.toMillis()) {
            stage.contacts.due(streamTime + (wallNow - streamTimeMovedAt), stage::contact);
        }
    }

    /** Writes the partition's take-up when it changed, at most once a second (one record per change of a consent otherwise). */
    private void writeTakeUp(long wallNow) {
        if (takeUpChanged && wallNow - takeUpWrittenAt >= TAKE_UP_EVERY_MS) {
            takeUpChanged = false;
            takeUpWrittenAt = wallNow;
            long at = Math.max(stage.context.currentStreamTimeMs(), 0);
            stage.forward(distributionKey, new Routed.ToTakeUp(takeUp.toRecord(stage.context.taskId().partition(), at)), at);
        }
    }

    /** Re-reads the published sketches; true if they changed. */
    private boolean reloadDistribution() {
        try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> all = distributionStore.all()) {
            if (!published.reload(all)) {
                return false;
            }
        }
        boolean ranked = stage.distribution.ranks();
        stage.distribution = published.distribution();
        // the first usable distribution turns every score from 0 into a rank: re-evaluate at once
        // rather than at the next refresh (up to segments.refresh.interval later)
        passRequested |= !ranked && stage.distribution.ranks();
        return true;
    }
}
