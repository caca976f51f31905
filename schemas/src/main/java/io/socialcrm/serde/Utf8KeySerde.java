package io.socialcrm.serde;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The keys of every topic: UTF-8 strings, read strictly. Kafka's own string deserializer replaces
 * bytes that are not UTF-8 with U+FFFD, so two different bad keys would read as the same account;
 * here they are a {@link MalformedKeyException}, and the record goes to dead-letters with its bytes.
 */
public final class Utf8KeySerde implements Serde<String> {
    private static final Serializer<String> SERIALIZER = (topic, key) -> key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    private static final ThreadLocal<CharsetDecoder> DECODERS = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    private static final Deserializer<String> DESERIALIZER = Utf8KeySerde::decode;

    /** A key whose bytes are not UTF-8. */
    public static final class MalformedKeyException extends SerdeException {
        MalformedKeyException(String topic, int length) {
            super("Key of a record of topic '" + topic + "' is not UTF-8 (" + length + " bytes)");
        }
    }

    private static String decode(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
        try {
            CharBuffer chars = DECODERS.get().reset().decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedKeyException(topic, bytes.length);
        }
    }

    @Override
    public Serializer<String> serializer() {
        return SERIALIZER;
    }

    @Override
    public Deserializer<String> deserializer() {
        return DESERIALIZER;
    }
}
