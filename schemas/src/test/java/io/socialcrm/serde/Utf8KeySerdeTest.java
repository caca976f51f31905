package io.socialcrm.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.contract.Topics;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keys are read strictly: what is not UTF-8 is refused, not turned into U+FFFD. */
class Utf8KeySerdeTest {
    @Test
    void utf8KeysRoundTripAndOthersAreRefused() {
        var serde = Topics.keySerde();
        for (String key : new String[] {"twitter:783214", "instagram:zoë_ünïcode", "bluesky:did:plc:ab12", "x:日本語"}) {
            assertEquals(key, serde.deserializer().deserialize("t", serde.serializer().serialize("t", key)));
        }
        assertNull(serde.deserializer().deserialize("t", null));
        byte[] latin1 = "twitter:zoë".getBytes(StandardCharsets.ISO_8859_1);
        Utf8KeySerde.MalformedKeyException e = assertThrows(Utf8KeySerde.MalformedKeyException.class,
                () -> serde.deserializer().deserialize("social-activity", latin1));
        assertTrue(e.getMessage().contains("social-activity") && e.getMessage().contains("not UTF-8"), e.getMessage());
        assertThrows(Utf8KeySerde.MalformedKeyException.class,
                () -> serde.deserializer().deserialize("t", new byte[] {'a', (byte) 0xc3}), "a sequence cut short");
    }
}
