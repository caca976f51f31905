package io.socialcrm.segments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.internal.DefinitionChanged;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.testing.MockStores;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The definition validator on its own: what it admits, refuses and ignores, and what it tells the customer stage. */
class DefinitionValidatorTest {
    private MockProcessorContext<String, Routed> context;
    private KeyValueStore<String, SegmentDefinition> accepted;
    private DefinitionValidator validator;

    @BeforeEach
    void start() {
        context = new MockProcessorContext<>();
        accepted = MockStores.inMemory(context, Names.ACCEPTED_DEFINITIONS, SegmentDefinition.class);
        validator = new DefinitionValidator();
        validator.init(context);
    }

    private static SegmentDefinition definition(String id, String enter, int version) {
        return SegmentDefinition.newBuilder().setId(id).setDescription(id).setEnterWhen(enter).setExitWhen(null)
                .setVersion(version).setEnabled(true).build();
    }

    private void process(String key, SegmentDefinition definition) {
        validator.process(new Record<>(key, definition, 1_000L));
    }

    /** What the customer stage was told since the last call: the definitions sent on (null for a deletion). */
    private List<DefinitionChanged> told() {
        List<DefinitionChanged> out = context.forwarded().stream()
                .map(f -> (DefinitionChanged) ((Routed.ToCustomers) f.record().value()).event().getEvent()).toList();
        context.resetForwards();
        return out;
    }

    @Test
    void anAdmittedDefinitionIsHeldAndSentOnOnce() {
        SegmentDefinition v1 = definition("liked", "influence.likes >= 1.0", 1);
        process("liked", v1);
        assertEquals(List.of(new DefinitionChanged("liked", v1)), told());
        assertEquals(v1, accepted.get("liked"));

        process("liked", v1);
        assertEquals(List.of(), told(), "the same definition again changes nothing");
        process("liked", definition("liked", "influence.likes >= 5.0", 0));
        assertEquals(List.of(), told(), "an older version is ignored");
        assertEquals(v1, accepted.get("liked"));
    }

    @Test
    void aRuleThatDoesNotCompileIsRefusedAndTheVersionInForceStays() {
        SegmentDefinition v1 = definition("liked", "influence.likes >= 1.0", 1);
        process("liked", v1);
        told();
        InvalidRecordException refused = assertThrows(InvalidRecordException.class,
                () -> process("liked", definition("liked", "influence.likez >= 1", 2)));
        assertTrue(refused.getMessage().contains("does not compile") && refused.getMessage().contains("version 1 stays in force"),
                refused.getMessage());
        assertEquals(List.of(), told());
        assertEquals(v1, accepted.get("liked"));
    }

    @Test
    void aKeyThatIsNotTheIdIsRefused() {
        InvalidRecordException refused = assertThrows(InvalidRecordException.class,
                () -> process("other", definition("liked", "influence.likes >= 1.0", 1)));
        assertTrue(refused.getMessage().contains("key 'other' is not the definition's id 'liked'"), refused.getMessage());
        assertNull(accepted.get("other"));
    }

    @Test
    void aDeletionOfAHeldSegmentIsSentOnAndOfAnUnknownOneIsNot() {
        process("gone", null);
        assertEquals(List.of(), told(), "nothing to delete");
        process("liked", definition("liked", "influence.likes >= 1.0", 1));
        told();
        process("liked", null);
        assertEquals(List.of(new DefinitionChanged("liked", null)), told());
        assertNull(accepted.get("liked"));
    }
}
