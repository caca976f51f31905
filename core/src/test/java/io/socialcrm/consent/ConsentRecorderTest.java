package io.socialcrm.consent;

import static io.socialcrm.testing.TopologyFixture.T0;
import static io.socialcrm.testing.TopologyFixture.consent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.avro.internal.AccountLinked;
import io.socialcrm.avro.internal.AccountUnlinked;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.metrics.MetricsDeltasSerde;
import io.socialcrm.testing.MockStores;
import io.socialcrm.testing.TopologyFixture;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consent recorder on its own: the consent in force per account, what it tells the customer
 * stage (link, unlink) and the account directory, and what it ignores or refuses.
 */
class ConsentRecorderTest {
    private MockProcessorContext<String, Routed> context;
    private KeyValueStore<String, AccountConsent> consents;
    private ConsentRecorder recorder;

    @BeforeEach
    void start() {
        Map<String, String> values = AppConfig.givenDefaults();
        values.put(AppConfig.ENGAGERS_SALT.name(), TopologyFixture.SALT);
        TopologySettings settings = TopologySettings.from(Settings.of(values, "test"), 1);
        context = new MockProcessorContext<>();
        consents = MockStores.inMemory(context, Names.ACCOUNT_CONSENTS, AccountConsent.class);
        MockStores.inMemory(context, Names.CONSENT_METRICS_BUFFER, MetricsDeltasSerde.INSTANCE);
        recorder = new ConsentRecorder(settings);
        recorder.init(context);
    }

    private void process(String key, ConsentRecord consent, Instant at) {
        recorder.process(new Record<>(key, consent, at.toEpochMilli()));
    }

    /** What the customer stage was told since the last call, by customer. */
    private List<Map.Entry<String, Object>> toCustomers() {
        return context.forwarded().stream().filter(f -> f.record().value() instanceof Routed.ToCustomers)
                .map(f -> Map.entry(f.record().key(), ((Routed.ToCustomers) f.record().value()).event().getEvent())).toList();
    }

    /** The directory entries written since the last call: the customer, or null for a removed entry. */
    private List<String> toDirectory() {
        return context.forwarded().stream().filter(f -> f.record().value() instanceof Routed.ToDirectory)
                .map(f -> ((Routed.ToDirectory) f.record().value()).customerId()).toList();
    }

    @Test
    void aGrantLinksTheAccountAndARevocationUnlinksIt() {
        process("twitter:7", consent("c1", "twitter", "7", T0, ConsentStatus.GRANTED, ConsentScope.ACTIVITY), T0);
        assertEquals("c1", consents.get("twitter:7").getCustomerId());
        assertEquals(1, toCustomers().size());
        assertEquals("c1", toCustomers().get(0).getKey());
        AccountLinked linked = (AccountLinked) toCustomers().get(0).getValue();
        assertEquals(List.of(ConsentScope.ACTIVITY), linked.getScopes());
        assertEquals(List.of("c1"), toDirectory());
        context.resetForwards();

        process("twitter:7", consent("c1", "twitter", "7", T0.plusSeconds(60), ConsentStatus.REVOKED), T0.plusSeconds(60));
        assertEquals(ConsentStatus.REVOKED, consents.get("twitter:7").getStatus());
        assertNull(consents.get("twitter:7").getCustomerId(), "a revoked account names no customer");
        assertEquals("consent revoked", ((AccountUnlinked) toCustomers().get(0).getValue()).getReason());
        assertEquals(java.util.Arrays.asList((String) null), toDirectory(), "the directory entry goes");
    }

    @Test
    void anOlderConsentThanTheOneHeldIsIgnored() {
        process("twitter:7", consent("c1", "twitter", "7", T0, ConsentStatus.GRANTED, ConsentScope.ACTIVITY), T0);
        context.resetForwards();
        process("twitter:7", consent("c1", "twitter", "7", T0.minusSeconds(60), ConsentStatus.REVOKED), T0);
        assertEquals(List.of(), context.forwarded());
        assertEquals(ConsentStatus.GRANTED, consents.get("twitter:7").getStatus());
    }

    @Test
    void anAccountMovingToAnotherCustomerLeavesTheFirst() {
        process("twitter:7", consent("c1", "twitter", "7", T0, ConsentStatus.GRANTED, ConsentScope.ACTIVITY), T0);
        context.resetForwards();
        process("twitter:7", consent("c2", "twitter", "7", T0.plusSeconds(1), ConsentStatus.GRANTED, ConsentScope.ACTIVITY),
                T0.plusSeconds(1));
        List<Map.Entry<String, Object>> told = toCustomers();
        assertEquals(2, told.size());
        assertEquals("c1", told.get(0).getKey());
        assertEquals("account linked to another customer", ((AccountUnlinked) told.get(0).getValue()).getReason());
        assertEquals("c2", told.get(1).getKey());
        assertTrue(told.get(1).getValue() instanceof AccountLinked);
        assertEquals(List.of("c2"), toDirectory());
    }

    @Test
    void aConsentThatBreaksTheContractIsRefusedAndNothingChanges() {
        InvalidRecordException wrongKey = assertThrows(InvalidRecordException.class, () ->
                process("twitter:8", consent("c1", "twitter", "7", T0, ConsentStatus.GRANTED, ConsentScope.ACTIVITY), T0));
        assertTrue(wrongKey.getMessage().contains("key"), wrongKey.getMessage());
        InvalidRecordException noCustomer = assertThrows(InvalidRecordException.class, () ->
                process("twitter:7", consent("", "twitter", "7", T0, ConsentStatus.GRANTED, ConsentScope.ACTIVITY), T0));
        assertTrue(noCustomer.getMessage().contains("customerId is missing"), noCustomer.getMessage());
        assertNull(consents.get("twitter:7"));
        assertEquals(List.of(), context.forwarded());
    }
}
