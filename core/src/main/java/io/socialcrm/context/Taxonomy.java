package io.socialcrm.context;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * A context taxonomy, indexed for matching: context ids with their ancestors, and the keywords,
 * hashtags, followed accounts and link domains that point to them. Loaded from YAML (see
 * {@link TaxonomyFile}); the built-in one derives from the Klout topic ontology (Klout, Inc.,
 * CC BY 3.0) with curated keywords for its major topics.
 */
public final class Taxonomy {
    public static final String BUILT_IN_RESOURCE = "/io/socialcrm/context/taxonomy.yaml";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static Taxonomy builtIn;

    private final String attribution;
    private final List<ContextDefinition> definitions;
    private final String[] ids;
    private final Map<String, Integer> index;
    private final int[][] selfAndAncestors;
    private final Map<String, int[]> keywords;
    private final Map<String, int[]> hashtags;
    private final Map<String, int[]> accounts;
    private final Map<String, int[]> domains;
    private final TextTokens tokens;

    private Taxonomy(TaxonomyFile file, String origin) {
        this.attribution = file.attribution();
        List<ContextDefinition> contexts = file.contexts() == null ? List.of() : file.contexts();
        this.definitions = List.copyOf(contexts);
        index = new HashMap<>();
        ids = new String[contexts.size()];
        for (int i = 0; i < contexts.size(); i++) {
            String id = contexts.get(i).id();
            if (id == null || !ID.matcher(id).matches()) {
                throw new ConfigException("Taxonomy " + origin + ": context #" + (i + 1) + " has an invalid id '" + id
                        + "' (lower-case letters, digits, '.', '_' and '-')");
            }
            if (index.put(id, i) != null) {
                throw new ConfigException("Taxonomy " + origin + ": context '" + id + "' is defined twice");
            }
            ids[i] = id;
        }
        int[][] parents = new int[contexts.size()][];
        for (int i = 0; i < contexts.size(); i++) {
            List<String> names = contexts.get(i).parents();
            parents[i] = new int[names.size()];
            for (int p = 0; p < names.size(); p++) {
                Integer parent = index.get(names.get(p));
                if (parent == null) {
                    throw new ConfigException("Taxonomy " + origin + ": context '" + ids[i] + "' names an unknown parent '"
                            + names.get(p) + "'");
                }
                parents[i][p] = parent;
            }
        }
        selfAndAncestors = new int[contexts.size()][];
        for (int i = 0; i < contexts.size(); i++) {
            selfAndAncestors[i] = closure(i, parents, origin);
        }
        int maxWords = 1;
        Set<String> phraseStarts = new HashSet<>();
        Map<String, List<Integer>> kw = new HashMap<>();
        Map<String, List<Integer>> tags = new HashMap<>();
        Map<String, List<Integer>> acc = new HashMap<>();
        Map<String, List<Integer>> dom = new HashMap<>();
        TextTokens normalizer = new TextTokens(1);
        for (int i = 0; i < contexts.size(); i++) {
            ContextDefinition c = contexts.get(i);
            for (String keyword : c.keywords()) {
                String normalized = normalizer.normalize(keyword);
                if (!normalized.isEmpty()) {
                    kw.computeIfAbsent(normalized, k -> new ArrayList<>()).add(i);
                    maxWords = Math.max(maxWords, TextTokens.wordCount(normalized));
                    int space = normalized.indexOf(' ');
                    if (space > 0) {
                        phraseStarts.add(normalized.substring(0, space));
                    }
                }
            }
            for (String tag : c.hashtags()) {
                tags.computeIfAbsent(TextTokens.foldHashtag(tag), k -> new ArrayList<>()).add(i);
            }
            for (String account : c.accounts()) {
                acc.computeIfAbsent(account.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(i);
            }
            for (String domain : c.domains()) {
                dom.computeIfAbsent(domain.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(i);
            }
        }
        keywords = freeze(kw);
        hashtags = freeze(tags);
        accounts = freeze(acc);
        domains = freeze(dom);
        tokens = new TextTokens(Math.min(maxWords, 4), phraseStarts);
    }

    /** The taxonomy shipped with socialcrm, read once per JVM (it is immutable, and reading it takes a while). */
    public static Taxonomy builtIn() {
        synchronized (Taxonomy.class) {
            if (builtIn == null) {
                builtIn = readBuiltIn();
            }
            return builtIn;
        }
    }

    private static Taxonomy readBuiltIn() {
        try (InputStream in = Taxonomy.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Built-in taxonomy " + BUILT_IN_RESOURCE + " is missing from the jar");
            }
            return new Taxonomy(YAML.readValue(in, TaxonomyFile.class), "(built-in)");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the built-in taxonomy", e);
        }
    }

    /** A taxonomy from a YAML file; a bad file fails with a message naming the file and the problem. */
    public static Taxonomy load(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("Cannot read the taxonomy file " + file.toAbsolutePath() + " (taxonomy.file)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new Taxonomy(YAML.readValue(in, TaxonomyFile.class), file.toString());
        } catch (IOException e) {
            throw new ConfigException("Taxonomy file " + file + " is not valid YAML of the expected form: " + e.getMessage());
        }
    }

    public static Taxonomy of(TaxonomyFile file) {
        return new Taxonomy(file, "(in memory)");
    }

    public String attribution() {
        return attribution;
    }

    public int size() {
        return ids.length;
    }

    public boolean contains(String id) {
        return index.containsKey(id);
    }

    /** The definition of a context, or null. */
    public ContextDefinition definition(String id) {
        Integer i = index.get(id);
        return i == null ? null : definitions.get(i);
    }

    TextTokens tokens() {
        return tokens;
    }

    int[] keyword(String normalized) {
        return keywords.get(normalized);
    }

    int[] hashtag(String folded) {
        return hashtags.get(folded);
    }

    int[] account(String accountKey) {
        return accounts.get(accountKey);
    }

    /** Contexts of a host name or of any domain above it ({@code news.bbc.co.uk} matches {@code bbc.co.uk}). */
    int[] domain(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("www.")) {
            h = h.substring(4);
        }
        while (true) {
            int[] hit = domains.get(h);
            if (hit != null) {
                return hit;
            }
            int dot = h.indexOf('.');
            if (dot < 0 || h.indexOf('.', dot + 1) < 0) {
                return null;
            }
            h = h.substring(dot + 1);
        }
    }

    int[] selfAndAncestors(int context) {
        return selfAndAncestors[context];
    }

    String id(int context) {
        return ids[context];
    }

    private int[] closure(int start, int[][] parents, String origin) {
        Set<Integer> seen = new LinkedHashSet<>();
        List<Integer> path = new ArrayList<>();
        visit(start, parents, seen, path, origin);
        return seen.stream().mapToInt(Integer::intValue).toArray();
    }

    private void visit(int node, int[][] parents, Set<Integer> seen, List<Integer> path, String origin) {
        if (path.contains(node)) {
            throw new ConfigException("Taxonomy " + origin + ": the parents of '" + ids[node] + "' form a cycle");
        }
        if (!seen.add(node)) {
            return;
        }
        path.add(node);
        for (int parent : parents[node]) {
            visit(parent, parents, seen, path, origin);
        }
        path.remove(path.size() - 1);
    }

    private static Map<String, int[]> freeze(Map<String, List<Integer>> map) {
        Map<String, int[]> frozen = new HashMap<>(map.size() * 2);
        map.forEach((k, v) -> frozen.put(k, v.stream().mapToInt(Integer::intValue).distinct().toArray()));
        return frozen;
    }
}
