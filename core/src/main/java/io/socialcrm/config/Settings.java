package io.socialcrm.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Layered key-value settings: defaults &lt; file &lt; environment ({@code SOCIALCRM_*}) &lt; flags.
 * Each value remembers where it came from, so an invalid one is reported with its source and what
 * to write instead.
 */
public final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d|w)?");
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*([kmgt]i?b?|b)?");

    /** A value and where it came from ("default", "file app.properties", "environment SOCIALCRM_X", "flag --x"). */
    public record Value(String value, String source) {
    }

    private final Map<String, Value> values;

    private Settings(Map<String, Value> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** Builds the layers. {@code file} may be null; {@code env} is usually {@code System.getenv()}. */
    public static Settings layered(Map<String, String> defaults, Path file, Map<String, String> env,
                                   Map<String, String> flags) {
        Map<String, Value> merged = new LinkedHashMap<>();
        defaults.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, new Value(v, "default"));
            }
        });
        if (file != null) {
            readFile(file).forEach((k, v) -> merged.put(k, new Value(v, "file " + file)));
        }
        env.forEach((k, v) -> {
            if (k.startsWith("SOCIALCRM_") && !AppConfig.NOT_SETTINGS_ENV.contains(k)) {
                String key = k.substring("SOCIALCRM_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
                merged.put(key, new Value(v, "environment " + k));
            }
        });
        flags.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, new Value(v, "option for " + k));
            }
        });
        return new Settings(merged);
    }

    /** Settings from a plain map (tests, embedding), all with the given source. */
    public static Settings of(Map<String, String> values, String source) {
        Map<String, Value> map = new LinkedHashMap<>();
        values.forEach((k, v) -> map.put(k, new Value(v, source)));
        return new Settings(map);
    }

    /** These settings with some values replaced (for the embedded stack's addresses, say). */
    public Settings with(Map<String, String> overrides, String source) {
        Map<String, Value> map = new LinkedHashMap<>(values);
        overrides.forEach((k, v) -> map.put(k, new Value(v, source)));
        return new Settings(map);
    }

    private static Map<String, String> readFile(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("Cannot read the config file " + file.toAbsolutePath()
                    + ": check the path given to --config");
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read the config file " + file + ": " + e.getMessage());
        }
        Map<String, String> map = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().forEach(k -> map.put(k, props.getProperty(k).trim()));
        return map;
    }

    public Map<String, Value> values() {
        return values;
    }

    public Optional<String> get(String key) {
        Value v = values.get(key);
        return v == null || v.value().isBlank() ? Optional.empty() : Optional.of(v.value().trim());
    }

    public String source(String key) {
        Value v = values.get(key);
        return v == null ? "unset" : v.source();
    }

    /** A value that must be set; the hint says how to set it. */
    public String require(String key, String hint) {
        return get(key).orElseThrow(() -> new ConfigException("Missing setting '" + key + "': " + hint
                + " (in the --config file, as " + new Setting(key, null, "").envName() + ", or as an option)"));
    }

    public String string(String key) {
        return get(key).orElse(null);
    }

    public int intValue(String key, int min, int max) {
        String raw = require(key, "a whole number from " + min + " to " + max);
        try {
            int v = Integer.parseInt(raw);
            if (v < min || v > max) {
                throw invalid(key, "must be from " + min + " to " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid(key, "must be a whole number from " + min + " to " + max);
        }
    }

    public double doubleValue(String key, double min, double max) {
        String raw = require(key, "a number from " + min + " to " + max);
        try {
            double v = Double.parseDouble(raw);
            if (!(v >= min && v <= max)) {
                throw invalid(key, "must be from " + min + " to " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid(key, "must be a number from " + min + " to " + max);
        }
    }

    public boolean bool(String key) {
        String raw = require(key, "true or false").toLowerCase(Locale.ROOT);
        if (raw.equals("true") || raw.equals("false")) {
            return Boolean.parseBoolean(raw);
        }
        throw invalid(key, "must be true or false");
    }

    /**
     * A duration such as {@code 30d}, {@code 12h}, {@code 15m}, {@code 10s}, {@code 250ms}, {@code 2w}
     * or ISO-8601 ({@code PT1H}); a bare number is milliseconds. Empty when the value is {@code off}
     * and {@code offAllowed}.
     */
    public Optional<Duration> duration(String key, boolean offAllowed) {
        String raw = require(key, "a duration like 30d, 12h, 15m, 10s or 250ms");
        if (offAllowed && raw.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        Duration d = parseDuration(raw);
        if (d == null || d.isNegative() || d.isZero()) {
            throw invalid(key, "must be a positive duration like 30d, 12h, 15m, 10s or 250ms"
                    + (offAllowed ? ", or off" : ""));
        }
        return Optional.of(d);
    }

    public Duration duration(String key) {
        return duration(key, false).orElseThrow();
    }

    /** A duration like {@code 30d}, {@code 12h}, {@code 250ms} or ISO-8601 {@code PT1H}; null when it is none. */
    public static Duration parseDuration(String raw) {
        String s = raw.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                return Duration.parse(raw.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            return null;
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            case "d" -> amount * 86_400_000;
            case "w" -> amount * 7 * 86_400_000;
            default -> -1;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    /** A size such as {@code 256MB}, {@code 1GiB}, {@code 512k}; a bare number is bytes. */
    public long bytes(String key) {
        String raw = require(key, "a size like 256MB or 1GiB").toLowerCase(Locale.ROOT).replace(" ", "");
        Matcher m = BYTES.matcher(raw);
        if (!m.matches()) {
            throw invalid(key, "must be a size like 256MB, 1GiB or 512k");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long mult = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1L;
        };
        return n * mult;
    }

    public ConfigException invalid(String key, String what) {
        Value v = values.get(key);
        String shown = v == null ? "(unset)" : "'" + (AppConfig.isSecret(key) ? "(hidden)" : v.value()) + "'";
        return new ConfigException("Invalid setting '" + key + "' = " + shown + " (from "
                + (v == null ? "nowhere" : v.source()) + "): " + what);
    }
}
