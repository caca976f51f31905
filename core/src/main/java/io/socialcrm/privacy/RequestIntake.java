package io.socialcrm.privacy;

import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.EraseRequest;
import io.socialcrm.avro.internal.MergeRequest;
import io.socialcrm.common.Routed;
import io.socialcrm.errors.InvalidRecordException;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Checks merge and erasure requests and hands them to the customer stage, on the partition of the
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
            if (blank(merge.getSurvivorId()) || blank(merge.getMergedId())) {
                throw new InvalidRecordException("merge needs both survivorId and mergedId");
            }
            if (merge.getSurvivorId().equals(merge.getMergedId())) {
                throw new InvalidRecordException("merge of a customer into itself");
            }
            if (record.key() != null && !record.key().equals(merge.getMergedId())) {
                throw new InvalidRecordException("key is not the merge's mergedId");
            }
            context().forward(new Record<>(merge.getMergedId(),
                    new Routed.ToCustomers(new CustomerEvent(new MergeRequest(merge.getSurvivorId()))), record.timestamp()));
        }
    }

    /** {@code erasure-requests}: key and {@code customerId} name the customer to erase. */
    public static final class Erasures extends ContextualProcessor<String, ErasureRequest, String, Routed> {
        @Override
        public void process(Record<String, ErasureRequest> record) {
            ErasureRequest request = record.value();
            if (request == null) {
                throw new InvalidRecordException("erasure request has no value");
            }
            if (blank(request.getCustomerId()) || blank(request.getRequestId())) {
                throw new InvalidRecordException("erasure request needs customerId and requestId");
            }
            if (record.key() != null && !record.key().equals(request.getCustomerId())) {
                throw new InvalidRecordException("key is not the request's customerId");
            }
            context().forward(new Record<>(request.getCustomerId(), new Routed.ToCustomers(new CustomerEvent(
                    new EraseRequest(request.getRequestId(), null, false))), record.timestamp()));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
