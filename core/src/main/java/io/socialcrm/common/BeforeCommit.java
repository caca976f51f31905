package io.socialcrm.common;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * Work a processor leaves until just before its task commits, under exactly-once: what it writes
 * then is in the same transaction as the input that caused it, and a reader (read-committed) sees
 * no difference but fewer records. Kafka Streams gives a processor no hook before a commit; its store
 * caches have one (a task flushes its caches before it commits; the DSL emits a KTable's changes
 * from that flush). So a processor marks a small cached store (in memory, no changelog: nothing in it
 * outlives a commit) when work is waiting, and the mark's flush runs the work, with the processor as
 * the current node so that it may forward. The cache also flushes a mark it evicts (a full cache):
 * the work then runs earlier, never later. On a crash the waiting work is lost with the transaction
 * that had not committed its input, which is read again.
 *
 * <p>The flush listener and the current-node switch are Kafka Streams internals (those the DSL's
 * {@code TimestampedCacheFlushListener} uses; Kafka is pinned and
 * the topology and integration tests run through them). Where they are not to be had (a store
 * without a cache, a processor run outside Kafka Streams, at-least-once, where a record is read as
 * soon as it is written), {@link #bind} returns null and the caller does the work at once; a
 * processor run outside Kafka Streams with a {@link Manual} in its configuration ({@link #MANUAL_CONFIG})
 * gets a hook whose work waits for {@link Manual#commit()}.
 */
public final class BeforeCommit {
    /**
     * A setting for processors run outside Kafka Streams (the in-process benchmarks): a context whose
     * configuration maps it to a {@link Manual} binds every hook to it, and the work waits for
     * {@link Manual#commit()} as it waits for a commit in a running application, instead of being done
     * at once.
     */
    public static final String MANUAL_CONFIG = "socialcrm.before.commit.manual";
    private static final Integer MARK = 0;

    /** The marks store, or null for a hook bound to a {@link Manual}. */
    private final KeyValueStore<Integer, Integer> marks;
    private final Runnable work;
    /** Whether the mark is in the cache, dirty: set by {@link #mark}, cleared as the flush starts. */
    private boolean marked;

    private BeforeCommit(KeyValueStore<Integer, Integer> marks, Runnable work) {
        this.marks = marks;
        this.work = work;
    }

    /**
     * Commits made by hand, for processors run outside Kafka Streams (see {@link #MANUAL_CONFIG}):
     * {@link #commit()} does the work of every hook marked since the last one, as the caches' flush
     * before a commit does.
     */
    public static final class Manual {
        private final java.util.List<BeforeCommit> hooks = new java.util.ArrayList<>();

        /**
         * Does the work of every marked hook, and again for hooks the work marked (the customer
         * stage's refresh fills its profile outbox), until none is marked.
         */
        public void commit() {
            boolean any = true;
            for (int round = 0; any && round < 10; round++) {
                any = false;
                for (BeforeCommit hook : hooks) {
                    if (hook.marked) {
                        any = true;
                        hook.marked = false;
                        hook.work.run();
                    }
                }
            }
        }
    }

    /** The store a {@link BeforeCommit} marks: cached, in memory, no changelog; one key. */
    public static StoreBuilder<KeyValueStore<Integer, Integer>> store(String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Integer(), Serdes.Integer())
                .withCachingEnabled().withLoggingDisabled();
    }

    /**
     * Runs {@code work} before each commit that follows a {@link #mark} (call in {@code init}; the
     * store must be connected to the processor); null when it cannot (see the class comment).
     */
    public static BeforeCommit bind(ProcessorContext<?, ?> context, String storeName, Runnable work) {
        return bind(context, storeName, work, false);
    }

    /**
     * The same, and with {@code underAtLeastOnce} also under at-least-once (for a caller that then
     * does the work on a schedule of its own as well, since there a record is read as soon as it is
     * written: topology/PartitionBatches).
     */
    @SuppressWarnings("unchecked")
    public static BeforeCommit bind(ProcessorContext<?, ?> context, String storeName, Runnable work, boolean underAtLeastOnce) {
        if (context.appConfigs().get(MANUAL_CONFIG) instanceof Manual manual) {
            BeforeCommit hook = new BeforeCommit(null, work);
            manual.hooks.add(hook);
            return hook;
        }
        KeyValueStore<Integer, Integer> marks = context.getStateStore(storeName);
        if (!(exactlyOnce(context) || underAtLeastOnce) || !(context instanceof InternalProcessorContext<?, ?> internal)
                || !(marks instanceof CachedStateStore<?, ?> cached)) {
            return null;
        }
        BeforeCommit hook = new BeforeCommit(marks, work);
        ProcessorNode<?, ?, ?, ?> self = internal.currentNode();
        boolean bound = ((CachedStateStore<Integer, Integer>) cached).setFlushListener(flushed -> {
            hook.marked = false;
            ProcessorNode<?, ?, ?, ?> current = internal.currentNode();
            internal.setCurrentNode(self);
            try {
                work.run();
            } finally {
                internal.setCurrentNode(current);
            }
        }, false);
        return bound ? hook : null;
    }

    /** Whether the application runs exactly-once (v2). */
    public static boolean exactlyOnce(ProcessorContext<?, ?> context) {
        return StreamsConfig.EXACTLY_ONCE_V2.equals(String.valueOf(context.appConfigs().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)));
    }

    /** Asks for the work before the next commit (a write to the cache only the first time between two flushes). */
    public void mark() {
        if (!marked) {
            marked = true;
            if (marks != null) {
                marks.put(MARK, MARK);
            }
        }
    }
}
