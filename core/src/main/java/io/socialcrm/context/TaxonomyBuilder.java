package io.socialcrm.context;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a taxonomy file from the Klout topic ontology (topics CSV and parent-child edges CSV) and
 * an overlay of curated keywords, hashtags and domains. The built-in taxonomy is this tool's output
 * on the Klout topic ontology's CSV files (published by Klout, Inc., https://github.com/klout/opendata, CC BY 3.0)
 * and {@code core/src/main/taxonomy/overlay.yaml}:
 *
 * <pre>
 * java -cp app/target/socialcrm.jar io.socialcrm.context.TaxonomyBuilder \
 *     klout_topic_ontology_20180601.csv klout_topic_edge_20180601.csv overlay.yaml taxonomy.yaml
 * </pre>
 *
 * Each topic becomes a context with its slug as id and the ontology's parents. Its display name
 * becomes a hashtag (letters and digits, lower case); names of two words or more also become a
 * keyword phrase (single words are too ambiguous as plain text: "Apple", "Traffic"), and an
 * acronym in parentheses ("(CFL)") a keyword. The overlay adds to topics by id.
 */
public final class TaxonomyBuilder {
    static final String ATTRIBUTION = "Derived from the Klout topic ontology (2018-06-01) by Klout, Inc., "
            + "https://github.com/klout/opendata, licensed CC BY 3.0; keywords of major topics curated by socialcrm.";
    private static final Pattern PARENTHESES = Pattern.compile("\\s*\\(([^)]*)\\)\\s*");
    private static final Pattern ACRONYM = Pattern.compile("[A-Z][A-Z0-9&.]{1,9}");

    private TaxonomyBuilder() {
    }

    /** What the overlay adds to one topic. */
    record Addition(List<String> keywords, List<String> hashtags, List<String> accounts, List<String> domains) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: TaxonomyBuilder <topics.csv> <edges.csv> <overlay.yaml> <out taxonomy.yaml>");
            System.exit(2);
        }
        TaxonomyFile file = build(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        try (Writer out = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8)) {
            write(file, out);
        }
        System.out.println("Wrote " + file.contexts().size() + " contexts to " + args[3]);
    }

    public static TaxonomyFile build(Path topicsCsv, Path edgesCsv, Path overlayYaml) throws IOException {
        Map<String, String> names = new TreeMap<>();
        for (Map<String, String> row : csv(topicsCsv)) {
            String id = id(row.get("topicSlug"));
            if (names.put(id, row.get("topicDisplayName")) != null) {
                throw new IllegalArgumentException("Two topics have the id " + id + " once normalised");
            }
        }
        Map<String, Set<String>> parents = new TreeMap<>();
        for (Map<String, String> row : csv(edgesCsv)) {
            String parent = "_ROOT_".equals(row.get("parrentTopicSlug")) ? "_ROOT_" : id(row.get("parrentTopicSlug"));
            String child = id(row.get("childTopicSlug"));
            if (!"_ROOT_".equals(parent) && !parent.equals(child) && names.containsKey(parent) && names.containsKey(child)) {
                parents.computeIfAbsent(child, c -> new TreeSet<>()).add(parent);
            }
        }
        Map<String, Addition> overlay;
        try (Reader reader = Files.newBufferedReader(overlayYaml, StandardCharsets.UTF_8)) {
            overlay = new ObjectMapper(new YAMLFactory()).readValue(reader, new TypeReference<Map<String, Addition>>() { });
        }
        for (String id : overlay.keySet()) {
            if (!names.containsKey(id)) {
                throw new IllegalArgumentException("Overlay names a topic the ontology does not have: " + id);
            }
        }
        List<ContextDefinition> contexts = new ArrayList<>();
        for (Map.Entry<String, String> topic : names.entrySet()) {
            String id = topic.getKey();
            String display = topic.getValue();
            Set<String> keywords = new LinkedHashSet<>();
            Set<String> hashtags = new LinkedHashSet<>();
            Matcher parens = PARENTHESES.matcher(display);
            String bare = parens.replaceAll(" ").trim();
            parens.reset();
            while (parens.find()) {
                if (ACRONYM.matcher(parens.group(1)).matches()) {
                    keywords.add(parens.group(1).toLowerCase(Locale.ROOT));
                }
            }
            if (bare.split("\\s+").length >= 2) {
                keywords.add(bare.toLowerCase(Locale.ROOT));
            }
            String tag = TextTokens.foldHashtag(bare).replaceAll("[^a-z0-9]", "");
            if (!tag.isEmpty()) {
                hashtags.add(tag);
            }
            List<String> accounts = new ArrayList<>();
            List<String> domains = new ArrayList<>();
            Addition extra = overlay.get(id);
            if (extra != null) {
                if (extra.keywords() != null) {
                    extra.keywords().forEach(k -> keywords.add(k.toLowerCase(Locale.ROOT)));
                }
                if (extra.hashtags() != null) {
                    extra.hashtags().forEach(h -> hashtags.add(TextTokens.foldHashtag(h)));
                }
                if (extra.accounts() != null) {
                    accounts.addAll(extra.accounts());
                }
                if (extra.domains() != null) {
                    domains.addAll(extra.domains());
                }
            }
            contexts.add(new ContextDefinition(id, display, new ArrayList<>(parents.getOrDefault(id, Set.of())),
                    new ArrayList<>(keywords), new ArrayList<>(hashtags), accounts, domains));
        }
        return new TaxonomyFile(ATTRIBUTION, contexts);
    }

    /** A Klout slug as a context id: folded to ASCII, lower case, anything else than [a-z0-9._-] as '-'. */
    static String id(String slug) {
        String folded = TextTokens.foldHashtag(slug).replaceAll("[^a-z0-9._-]+", "-").replaceAll("-{2,}", "-");
        return folded.replaceAll("^-|-$", "");
    }

    public static void write(TaxonomyFile file, Writer out) throws IOException {
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build();
        out.write("# socialcrm built-in context taxonomy. " + ATTRIBUTION + "\n"
                + "# Generated by io.socialcrm.context.TaxonomyBuilder; edit overlay.yaml and rebuild rather than this file.\n");
        new ObjectMapper(factory).writeValue(out, file);
    }

    private static List<Map<String, String>> csv(Path file) throws IOException {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<Map<String, String>> rows = mapper.readerFor(new TypeReference<Map<String, String>>() { })
                     .with(schema).readValues(reader)) {
            return rows.readAll();
        }
    }
}
