package io.socialcrm.segments;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.DefinitionChanged;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.errors.InvalidRecordException;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits segment definitions. A definition whose rules do not compile is refused with the compiler's
 * message (to {@code dead-letters}) and the definition held before stays in force; a lower version
 * than the one held is ignored. An admitted definition (or a deletion) is sent to every partition of
 * the customer stage, which re-evaluates its customers. A SHADOW definition is keyed
 * {@code <id>:shadow}, needs a higher version than the live one, and ends when a live version at or
 * above its own is admitted (the rule promoted, or superseded).
 */
public final class DefinitionValidator extends ContextualProcessor<String, SegmentDefinition, String, Routed> {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionValidator.class);
    private KeyValueStore<String, SegmentDefinition> accepted;

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        super.init(context);
        accepted = context.getStateStore(Names.ACCEPTED_DEFINITIONS);
    }

    @Override
    public void process(Record<String, SegmentDefinition> record) {
        String id = record.key();
        SegmentDefinition definition = record.value();
        if (id == null) {
            throw new InvalidRecordException("segment definition has no key: expected the segment id");
        }
        SegmentDefinition held = accepted.get(id);
        if (definition == null) {
            if (held != null) {
                accepted.delete(id);
                LOG.info("Segment '{}' deleted", id);
                broadcast(id, null, record.timestamp());
            }
            return;
        }
        String key = Segment.keyOf(definition);
        if (!id.equals(key)) {
            throw new InvalidRecordException(Segment.isShadow(definition)
                    ? "key '" + id + "' of a SHADOW definition must be its id and '" + Segment.SHADOW_SUFFIX + "' ('" + key + "')"
                    : "key '" + id + "' is not the definition's id '" + definition.getId() + "'");
        }
        try {
            Segment.compile(definition);
        } catch (InvalidRuleException e) {
            LOG.warn("Refused {}; {}", e.getMessage(), held == null ? "the segment is not defined"
                    : "version " + held.getVersion() + " stays in force");
            throw new InvalidRecordException(e.getMessage() + (held == null ? "" : " (version " + held.getVersion()
                    + " stays in force)"));
        }
        if (held != null && (definition.getVersion() < held.getVersion() || definition.equals(held))) {
            return;
        }
        SegmentDefinition live = accepted.get(definition.getId());
        if (Segment.isShadow(definition) && live != null && definition.getVersion() <= live.getVersion()) {
            throw new InvalidRecordException("SHADOW segment '" + definition.getId() + "' v" + definition.getVersion()
                    + " needs a higher version than the live one (v" + live.getVersion() + " in force)");
        }
        accepted.put(id, definition);
        LOG.info("Segment '{}' v{} admitted{}", id, definition.getVersion(), definition.getEnabled() ? "" : " (disabled)");
        broadcast(id, definition, record.timestamp());
        String shadowKey = definition.getId() + Segment.SHADOW_SUFFIX;
        SegmentDefinition shadow = !Segment.isShadow(definition) ? accepted.get(shadowKey) : null;
        if (shadow != null && definition.getVersion() >= shadow.getVersion()) {
            // a live version at or above the shadow's promotes it (or supersedes it): the shadow ends
            accepted.delete(shadowKey);
            LOG.info("Segment '{}' v{} is live: its shadow v{} ends", definition.getId(), definition.getVersion(), shadow.getVersion());
            broadcast(shadowKey, null, record.timestamp());
        }
    }

    private void broadcast(String id, SegmentDefinition definition, long time) {
        context().forward(new Record<>(id, new Routed.ToCustomers(new CustomerEvent(new DefinitionChanged(id, definition))), time));
    }
}
