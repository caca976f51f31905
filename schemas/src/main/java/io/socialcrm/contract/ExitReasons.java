package io.socialcrm.contract;

/**
 * The {@code reason} of the EXITED segment changes that close a customer record, as written on
 * {@code segment-changes}. Part of the data contract: consumers act on them (the BI tables drop a
 * merged record's history on {@link #MERGED}: {@code docker/postgres/socialcrm-bi.sql}).
 */
public final class ExitReasons {
    /** The customer record was merged into another one; the survivor holds its accounts and state. */
    public static final String MERGED = "merged into another customer record";
    /** The customer asked for erasure. */
    public static final String ERASED = "erasure requested";

    private ExitReasons() {
    }
}
