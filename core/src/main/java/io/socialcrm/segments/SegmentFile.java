package io.socialcrm.segments;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.socialcrm.avro.SegmentDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * Segment definitions in YAML, for seeding the {@code segment-definitions} topic:
 *
 * <pre>
 * segments:
 *   - id: top-influencers
 *     description: The top decile of influence.
 *     enterWhen: influence.score >= 90
 *     exitWhen: influence.score &lt; 85      # optional: hysteresis
 *     version: 1                          # optional, default 1
 *     enabled: true                       # optional, default true
 *     minDwell: 7d                        # optional: a member stays at least this long
 *     mode: SHADOW                        # optional, default LIVE: changes go to segment-shadow-changes only
 *     campaign: true                      # optional, default false: entries give contact opportunities
 * </pre>
 *
 * Every rule is compiled on load: a bad file fails naming the segment and the problem.
 */
public final class SegmentFile {
    public static final String BUILT_IN_RESOURCE = "/io/socialcrm/segments/segments.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private SegmentFile() {
    }

    /** One entry of the file. */
    public record Entry(String id, String description, String enterWhen, String exitWhen, Integer version, Boolean enabled,
                        String minDwell, String mode, Boolean campaign) {
    }

    /** The file's root. */
    public record Root(List<Entry> segments) {
    }

    /** The default segments shipped with socialcrm. */
    public static List<SegmentDefinition> builtIn() {
        try (InputStream in = SegmentFile.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN_RESOURCE + " is missing from the jar");
            }
            return parse(YAML.readValue(in, Root.class), "(built-in segments.yaml)");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the built-in segments", e);
        }
    }

    public static List<SegmentDefinition> load(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("Cannot read the segments file " + file.toAbsolutePath());
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(YAML.readValue(in, Root.class), file.toString());
        } catch (IOException e) {
            throw new ConfigException("Segments file " + file + " is not valid YAML of the expected form: " + e.getMessage());
        }
    }

    private static String mode(Entry entry, String origin) {
        String mode = entry.mode() == null ? Segment.LIVE : entry.mode().trim().toUpperCase(java.util.Locale.ROOT);
        if (!mode.equals(Segment.LIVE) && !mode.equals(Segment.SHADOW)) {
            throw new ConfigException("Segments file " + origin + ": segment '" + entry.id() + "' has mode '" + entry.mode()
                    + "': use LIVE or SHADOW");
        }
        return mode;
    }

    private static List<SegmentDefinition> parse(Root root, String origin) {
        if (root == null || root.segments() == null || root.segments().isEmpty()) {
            throw new ConfigException("Segments file " + origin + " defines no segments (expected a 'segments:' list)");
        }
        List<SegmentDefinition> definitions = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Entry entry : root.segments()) {
            SegmentDefinition definition = SegmentDefinition.newBuilder()
                    .setId(entry.id())
                    .setDescription(entry.description())
                    .setEnterWhen(entry.enterWhen() == null ? "" : entry.enterWhen())
                    .setExitWhen(entry.exitWhen())
                    .setVersion(entry.version() == null ? 1 : entry.version())
                    .setEnabled(entry.enabled() == null || entry.enabled())
                    .setMinDwell(entry.minDwell())
                    .setMode(mode(entry, origin))
                    .setCampaign(entry.campaign() != null && entry.campaign())
                    .build();
            try {
                Segment.compile(definition);
            } catch (InvalidRuleException e) {
                throw new ConfigException("Segments file " + origin + ": " + e.getMessage());
            }
            if (!ids.add(Segment.keyOf(definition))) {
                throw new ConfigException("Segments file " + origin + ": segment '" + entry.id() + "' is defined twice"
                        + (Segment.isShadow(definition) ? " as SHADOW" : ""));
            }
            definitions.add(definition);
        }
        return definitions;
    }
}
