package io.socialcrm.errors;

/**
 * Some events of a batch record (topology/PartitionBatches) failed; the others were processed. The
 * processing-exception handler dead-letters the failed ones, as a batch record of their own, instead
 * of the whole source record: nothing processed is dead-lettered, nothing failed is lost. The cause
 * is the first failure (the reason the dead letter gives); the key is the batch record's own, which
 * the handler has from its context.
 */
public final class FailedInBatch extends RuntimeException {
    private final transient byte[] value;

    public FailedInBatch(int failed, int of, byte[] value, RuntimeException first) {
        super(failed + " of the " + of + " events of a batch failed; the first: " + first.getMessage(), first, false, false);
        this.value = value;
    }

    /** The value of the dead letter: a batch record of the failed events only. */
    public byte[] value() {
        return value;
    }

    /** The batch failure in {@code error}'s causes, or null. */
    static FailedInBatch in(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FailedInBatch inBatch) {
                return inBatch;
            }
        }
        return null;
    }
}
