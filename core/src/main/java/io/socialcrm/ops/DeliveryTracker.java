package io.socialcrm.ops;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.Callback;

/**
 * Counts a producer's sends and their acknowledgements, so that a writer that makes no progress
 * says so within seconds instead of waiting out Kafka's delivery timeout in silence. "Progress" is
 * any send completing, acknowledged or failed; a writer with nothing in flight is never stalled.
 * The report names the topics whose records wait and the broker's recent answers, as Kafka's
 * client logged them (see {@link ClientWarnings}): which topic-partition, which error.
 */
public final class DeliveryTracker {
    /** How long a writer may see no acknowledgement at all before it gives up: seconds, not minutes. */
    public static final Duration DEFAULT_STALL_LIMIT = Duration.ofSeconds(30);

    private final long stallLimitNanos;
    /** Monotonic nanoseconds: {@code System::nanoTime}, or a test's clock. */
    private final LongSupplier clock;
    private final long startedMillis = System.currentTimeMillis();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private final Map<String, LongAdder> pendingByTopic = new ConcurrentHashMap<>();
    private volatile long lastProgressNanos;

    public DeliveryTracker(Duration stallLimit) {
        this(stallLimit, System::nanoTime);
    }

    DeliveryTracker(Duration stallLimit, LongSupplier clock) {
        if (stallLimit.isNegative() || stallLimit.isZero()) {
            throw new IllegalArgumentException("stall limit must be positive, not " + stallLimit);
        }
        this.stallLimitNanos = stallLimit.toNanos();
        this.clock = clock;
        this.lastProgressNanos = clock.getAsLong();
    }

    /** The callback for one record sent to {@code topic}; hand it to {@code KafkaProducer.send}. */
    public Callback track(String topic) {
        if (sent.get() == completed.get()) {
            // nothing was in flight: the clock for this record starts now, not at the last acknowledgement
            lastProgressNanos = clock.getAsLong();
        }
        sent.incrementAndGet();
        LongAdder pending = pendingByTopic.computeIfAbsent(topic, t -> new LongAdder());
        pending.increment();
        return (metadata, error) -> {
            pending.decrement();
            if (error != null) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, error);
            }
            lastProgressNanos = clock.getAsLong();
            completed.incrementAndGet();
        };
    }

    /** Records handed to the producer and not yet acknowledged or failed. */
    public long pending() {
        return sent.get() - completed.get();
    }

    public long failed() {
        return failed.get();
    }

    public Exception firstError() {
        return firstError.get();
    }

    /** Throws {@link StalledException} if records wait and none has completed for the stall limit. */
    public void check() {
        if (pending() > 0 && clock.getAsLong() - lastProgressNanos > stallLimitNanos) {
            throw new StalledException("Stuck writing to Kafka: " + describeStall());
        }
    }

    /**
     * Waits until every record sent so far has completed (the producer sends lingering batches by
     * itself), or throws {@link StalledException} when none completes for the stall limit.
     */
    public void awaitCompleted() {
        while (pending() > 0) {
            check();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Kafka to acknowledge " + pending() + " record(s)", e);
            }
        }
    }

    /** Throws if any record failed, naming how many and the first error: nothing is lost quietly. */
    public void throwIfFailed() {
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " record(s) could not be written to Kafka; the first error: "
                    + firstError.get(), firstError.get());
        }
    }

    /** What is stuck, for a person: how long, which topics wait, what the broker answered. */
    public String describeStall() {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(clock.getAsLong() - lastProgressNanos);
        Map<String, Long> waiting = new TreeMap<>();
        pendingByTopic.forEach((topic, count) -> {
            if (count.sum() > 0) {
                waiting.put(topic, count.sum());
            }
        });
        StringBuilder text = new StringBuilder(String.format(
                "no record acknowledged by Kafka for %d s while %,d wait (%s)", seconds, pending(),
                waiting.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "))));
        List<ClientWarnings.Recent> answers = ClientWarnings.recent(Math.max(startedMillis,
                System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(stallLimitNanos) * 2));
        if (answers.isEmpty()) {
            text.append("; the client logged no error (is the broker reachable?)");
        } else {
            text.append("; the latest answers: ");
            // the client's own warnings first (they name the error code), then the broker's, newest first within each
            text.append(answers.stream().sorted(Comparator.comparing((ClientWarnings.Recent r) -> !r.logger().startsWith(CLIENT_LOGGERS)))
                    .limit(3).map(r -> r.message() + " (×" + r.count() + ")").collect(Collectors.joining(" | ")));
        }
        return text.toString();
    }

    /** Where Kafka's client logs what the broker answered. */
    private static final String CLIENT_LOGGERS = "org.apache.kafka.clients";

    /** A writer that made no progress for the stall limit. */
    public static final class StalledException extends IllegalStateException {
        public StalledException(String message) {
            super(message);
        }
    }
}
