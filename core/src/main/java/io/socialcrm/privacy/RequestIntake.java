package io.socialcrm.privacy;

import io.socialcrm.avro.AccessRequest;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.CustomerUnmerge;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.internal.AccessRequested;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.EraseRequest;
import io.socialcrm.avro.internal.MergeRequest;
import io.socialcrm.avro.internal.UnmergeRequest;
import io.socialcrm.common.Routed;
import io.socialcrm.errors.InvalidRecordException;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Checks merge, unmerge, erasure and access requests and hands them to the customer stage, on the partition of the
 * customer they name (whatever the partitioning of the request topics).
 */
public final class RequestIntake {
    private RequestIntake() {
    }

    /** {@code customer-merges}: key and {@code mergedId} name the customer that goes away. */
    public static final class Merges extends ContextualProcessor<String, CustomerMerge, String, Routed> {
        @Override
        public void process(Record<String, CustomerMerge> record) {
            CustomerMerge merge = record.value();
            if (merge == null) {
                throw new InvalidRecordException("merge has no value");
            }
            checkPair("merge", "into", merge.getSurvivorId(), merge.getMergedId(), record.key(), false);
            context().forward(new Record<>(merge.getMergedId(),
                    new Routed.ToCustomers(new CustomerEvent(new MergeRequest(merge.getSurvivorId()))), record.timestamp()));
        }
    }

    /** {@code customer-unmerges}: key and {@code survivorId} name the customer that gives accounts back. */
    public static final class Unmerges extends ContextualProcessor<String, CustomerUnmerge, String, Routed> {
        @Override
        public void process(Record<String, CustomerUnmerge> record) {
            CustomerUnmerge unmerge = record.value();
            if (unmerge == null) {
                throw new InvalidRecordException("unmerge has no value");
            }
            checkPair("unmerge", "from", unmerge.getSurvivorId(), unmerge.getMergedId(), record.key(), true);
            context().forward(new Record<>(unmerge.getSurvivorId(), new Routed.ToCustomers(new CustomerEvent(
                    new UnmergeRequest(unmerge.getMergedId(), unmerge.getAccountKeys()))), record.timestamp()));
        }
    }

    /** {@code erasure-requests}: key and {@code customerId} name the customer to erase. */
    public static final class Erasures extends ContextualProcessor<String, ErasureRequest, String, Routed> {
        @Override
        public void process(Record<String, ErasureRequest> record) {
            ErasureRequest request = record.value();
            checkRequest("erasure", request == null ? null : request.getCustomerId(), request == null ? null : request.getRequestId(),
                    request != null, record.key());
            context().forward(new Record<>(request.getCustomerId(), new Routed.ToCustomers(new CustomerEvent(
                    new EraseRequest(request.getRequestId(), null, false))), record.timestamp()));
        }
    }

    /** {@code access-requests}: key and {@code customerId} name the customer who asks. */
    public static final class Accesses extends ContextualProcessor<String, AccessRequest, String, Routed> {
        @Override
        public void process(Record<String, AccessRequest> record) {
            AccessRequest request = record.value();
            checkRequest("access", request == null ? null : request.getCustomerId(), request == null ? null : request.getRequestId(),
                    request != null, record.key());
            context().forward(new Record<>(request.getCustomerId(), new Routed.ToCustomers(new CustomerEvent(
                    new AccessRequested(request.getRequestId()))), record.timestamp()));
        }
    }

    /** A request about one customer: a value, its customerId and requestId, and the key naming that customer. */
    private static void checkRequest(String what, String customerId, String requestId, boolean hasValue, String key) {
        if (!hasValue) {
            throw new InvalidRecordException(what + " request has no value");
        }
        if (blank(customerId) || blank(requestId)) {
            throw new InvalidRecordException(what + " request needs customerId and requestId");
        }
        if (key != null && !key.equals(customerId)) {
            throw new InvalidRecordException("key is not the request's customerId");
        }
    }

    /** Both ids given, not the same, and the key names the one the topic is keyed by ({@code survivorId} or {@code mergedId}). */
    private static void checkPair(String what, String preposition, String survivorId, String mergedId, String key, boolean keyedBySurvivor) {
        if (blank(survivorId) || blank(mergedId)) {
            throw new InvalidRecordException(what + " needs both survivorId and mergedId");
        }
        if (survivorId.equals(mergedId)) {
            throw new InvalidRecordException(what + " of a customer " + preposition + " itself");
        }
        if (key != null && !key.equals(keyedBySurvivor ? survivorId : mergedId)) {
            throw new InvalidRecordException("key is not the " + what + "'s " + (keyedBySurvivor ? "survivorId" : "mergedId"));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
