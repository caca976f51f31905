package io.socialcrm.contract;

/** How a topic is used and cleaned up. */
public enum TopicKind {
    /** Input, append-only, deleted by retention. */
    INPUT_APPEND("delete"),
    /** Input, one latest value per key. */
    INPUT_COMPACTED("compact"),
    /** Output, append-only, deleted by retention. */
    OUTPUT_APPEND("delete"),
    /** Output, one latest value per key, tombstones on delete. */
    OUTPUT_COMPACTED("compact"),
    /** Written and read by the application itself, one latest value per key. */
    INTERNAL_COMPACTED("compact");

    private final String cleanupPolicy;

    TopicKind(String cleanupPolicy) {
        this.cleanupPolicy = cleanupPolicy;
    }

    public String cleanupPolicy() {
        return cleanupPolicy;
    }

    public boolean isCompacted() {
        return "compact".equals(cleanupPolicy);
    }
}
