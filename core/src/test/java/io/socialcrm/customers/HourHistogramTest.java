package io.socialcrm.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.serde.AvroClassTrust;
import io.socialcrm.serde.InternalSerde;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * An account's hours of the week, packed: the same weights the map of earlier versions held after
 * the same updates, fewer bytes stored, and a stored map taken up when the state is read again.
 */
class HourHistogramTest {
    static {
        AvroClassTrust.install();
    }

    private static AccountState account(Map<String, Float> legacyHours) {
        return AccountState.newBuilder().setAccountKey("twitter:1").setPlatform("").setPlatformUserId("").setLinkedAt(0L)
                .setHours(new HashMap<>(legacyHours)).build();
    }

    /** What the histogram holds, as the earlier map (hour as text to weight). */
    private static Map<String, Float> asMap(AccountState a) {
        Map<String, Float> out = new TreeMap<>();
        HourHistogram.forEach(a, (hour, weight) -> out.put(Integer.toString(hour), weight));
        return out;
    }

    @Test
    void updatesGiveTheWeightsTheMapGaveBitForBit() {
        Random random = new Random(5);
        for (int round = 0; round < 2_000; round++) {
            Map<String, Float> map = new HashMap<>(); // the earlier versions' arithmetic, step by step
            AccountState a = account(Map.of());
            AccountState other = account(Map.of());
            Map<String, Float> otherMap = new HashMap<>();
            for (int step = 0; step < 60; step++) {
                int hour = random.nextInt(HourHistogram.HOURS);
                float weight = random.nextFloat() * 3;
                switch (random.nextInt(6)) {
                    case 0, 1, 2 -> {
                        map.merge(Integer.toString(hour), weight, Float::sum);
                        HourHistogram.add(a, hour, weight);
                    }
                    case 3 -> {
                        double factor = random.nextDouble();
                        Map<String, Float> scaled = new HashMap<>();
                        map.forEach((k, v) -> {
                            float s = (float) (v * factor);
                            if (s >= 0.005f) {
                                scaled.put(k, s);
                            }
                        });
                        map = scaled;
                        HourHistogram.scale(a, factor, 0.005f);
                    }
                    case 4 -> {
                        otherMap.merge(Integer.toString(hour), weight, Float::sum);
                        HourHistogram.add(other, hour, weight);
                    }
                    default -> {
                        Map<String, Float> into = map;
                        otherMap.forEach((k, v) -> into.merge(k, v, Float::sum));
                        HourHistogram.absorb(a, other);
                    }
                }
                assertEquals(new TreeMap<>(map), asMap(a), "round " + round + ", step " + step);
            }
        }
    }

    @Test
    void aStoredMapIsTakenUpAndTheStateWrittenAgainIsSmaller() {
        Map<String, Float> legacy = new HashMap<>();
        for (int hour = 0; hour < HourHistogram.HOURS; hour += 7) {
            legacy.put(Integer.toString(hour), hour / 10f + 0.5f);
        }
        InternalSerde<AccountState> serde = InternalSerde.of(AccountState.class);
        byte[] before = serde.serialize("t", account(legacy)); // as an earlier version wrote it
        AccountState read = serde.deserialize("t", before);
        assertEquals(new TreeMap<>(legacy), asMap(read), "the same hours and weights, read through the histogram");
        assertTrue(read.getHours().isEmpty(), "the map is emptied once taken up");
        HourHistogram.add(read, 7, 1f);
        assertEquals(legacy.get("7") + 1f, asMap(read).get("7"));
        byte[] after = serde.serialize("t", read);
        assertTrue(after.length < before.length - legacy.size(), after.length + " bytes against " + before.length);
        AccountState again = serde.deserialize("t", after);
        assertEquals(asMap(read), asMap(again), "written and read back");
        assertEquals(5 * legacy.size(), again.getHourWeights().remaining(), "5 bytes an hour");
    }

    @Test
    void aCustomerStateAsTheLastReleaseWroteItIsReadWithItsHours() throws Exception {
        // version 2 of the customer state: hours as a map of text keys, no hourWeights
        org.apache.avro.Schema v2;
        try (java.io.InputStream in = InternalSerde.class.getResourceAsStream(
                "/avro-released/io.socialcrm.avro.internal.CustomerState/v2.avsc")) {
            v2 = new org.apache.avro.Schema.Parser().parse(in);
        }
        org.apache.avro.Schema accountSchema = v2.getField("accounts").schema().getElementType();
        assertEquals(null, accountSchema.getField("hourWeights"), "the released version has no packed hours");
        org.apache.avro.generic.GenericRecord account = new org.apache.avro.generic.GenericRecordBuilder(accountSchema)
                .set("accountKey", "twitter:1").set("platform", "").set("platformUserId", "").set("linkedAt", 0L)
                .set("hours", Map.of("100", 0.75f, "3", 2.5f)).build();
        org.apache.avro.generic.GenericRecord state = new org.apache.avro.generic.GenericRecordBuilder(v2)
                .set("accounts", java.util.List.of(account)).build();
        byte[] bytes = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), v2).encode(state).array();

        io.socialcrm.avro.internal.CustomerState read = InternalSerde.of(io.socialcrm.avro.internal.CustomerState.class)
                .deserialize("t", bytes);
        AccountState a = read.getAccounts().get(0);
        assertEquals(Map.of("100", 0.75f, "3", 2.5f), asMap(a));
        double[] week = new ProfileBuilder(new io.socialcrm.influence.InfluenceModel(new io.socialcrm.influence.InfluenceWeights(1, 1, 1, 1, 1, 1, 1),
                java.time.Duration.ofDays(30), java.time.Duration.ofDays(7)), io.socialcrm.influence.Decay.none()).hoursOfWeek(read, 0L);
        assertEquals(2.5, week[3]);
        assertEquals(0.75, week[100]);
        assertEquals(3.25, java.util.Arrays.stream(week).sum(), "nothing else");
    }

    @Test
    void anAccountWithoutHoursHasNone() {
        AccountState a = account(Map.of());
        assertTrue(HourHistogram.isEmpty(a));
        HourHistogram.add(a, 167, 0.25f);
        HourHistogram.add(a, 0, 0.5f);
        assertEquals(Map.of("0", 0.5f, "167", 0.25f), asMap(a));
        HourHistogram.scale(a, 0.001, 0.005f);
        assertTrue(HourHistogram.isEmpty(a), "every weight under the floor: gone");
        a.setHourWeights(ByteBuffer.wrap(new byte[] {3, 0x3f, (byte) 0x80, 0, 0})); // hour 3, 1.0f
        HourHistogram.clear(a);
        assertTrue(HourHistogram.isEmpty(a));
    }
}
