package io.socialcrm.connectors.source;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** A live source's poll: what its reader thread queued, up to a batch, waiting a little for the first. */
public final class Polls {
    private Polls() {
    }

    /** Up to {@code batchSize} items; empty when none came within half a second. */
    public static <T> List<T> drain(BlockingQueue<T> queue, int batchSize) throws InterruptedException {
        T first = queue.poll(500, TimeUnit.MILLISECONDS);
        if (first == null) {
            return List.of();
        }
        List<T> items = new ArrayList<>(Math.min(batchSize, queue.size() + 1));
        items.add(first);
        queue.drainTo(items, batchSize - 1);
        return items;
    }
}
