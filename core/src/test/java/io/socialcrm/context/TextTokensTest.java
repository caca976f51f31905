package io.socialcrm.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.shingle.ShingleFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;
import org.junit.jupiter.api.Test;

/** The tokens and phrases of post text, against what Lucene's own shingle filter makes of it. */
class TextTokensTest {
    private static final List<String> TEXTS = List.of(
            "watching the premier league tonight with friends, what a game",
            "Café crème à Zürich — l'Équipe de France!! https://www.lequipe.fr/football and mail me@example.org",
            "RT @someone: Manchester United vs. Liverpool #PremierLeague 3-1 🎉⚽ http://t.co/abc",
            "",
            "one",
            "two words",
            "  spaces   between\twords\nand lines  ",
            "日本語のテキスト and English mixed, numbers 1,000.5 and $100");

    /** Every token and n-gram as Lucene's ShingleFilter (2 to maxWords words, unigrams too) gives them, in its order. */
    private static List<String> shingles(String text, int maxWords) {
        Analyzer analyzer = new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new UAX29URLEmailTokenizer();
                ShingleFilter shingles = new ShingleFilter(new ASCIIFoldingFilter(new LowerCaseFilter(tokenizer)), 2, maxWords);
                shingles.setOutputUnigrams(true);
                return new TokenStreamComponents(tokenizer, shingles);
            }
        };
        List<String> out = new ArrayList<>();
        try (TokenStream stream = analyzer.tokenStream("text", text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            TypeAttribute type = stream.addAttribute(TypeAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                out.add(type.type() + ":" + term);
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<String> tokens(TextTokens tokens, String text) {
        List<String> out = new ArrayList<>();
        tokens.forEach(text, (token, type) -> out.add(type + ":" + token));
        return out;
    }

    private static List<String> sorted(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        copy.sort(null);
        return copy;
    }

    @Test
    void everyTokenAndNGramIsWhatLucenesShingleFilterMakes() {
        Random random = new Random(11);
        String[] words = {"premier", "league", "the", "Café", "https://example.com/x", "#tag", "@user", "42", "é", "New", "York"};
        List<String> texts = new ArrayList<>(TEXTS);
        for (int i = 0; i < 200; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = random.nextInt(12); w > 0; w--) {
                text.append(words[random.nextInt(words.length)]).append(random.nextInt(5) == 0 ? ", " : " ");
            }
            texts.add(text.toString());
        }
        for (int maxWords = 1; maxWords <= 4; maxWords++) {
            TextTokens tokens = new TextTokens(maxWords);
            boolean phrases = maxWords > 1;
            for (String text : texts) {
                assertEquals(sorted(shingles(text, Math.max(2, maxWords)).stream()
                                .filter(s -> phrases || !s.startsWith(TextTokens.PHRASE_TYPE + ":")).toList()),
                        sorted(tokens(tokens, text)), "maxWords " + maxWords + ": '" + text + "'");
            }
        }
    }

    @Test
    void onlyPhrasesThatStartWithAPhrasesFirstWordAreMade() {
        TextTokens tokens = new TextTokens(3, Set.of("premier", "new"));
        List<String> out = tokens(tokens, "watching the Premier League in New York tonight");
        assertTrue(out.containsAll(List.of("shingle:premier league", "shingle:premier league in", "shingle:new york",
                "shingle:new york tonight")), out.toString());
        assertFalse(out.contains("shingle:the premier"), "no phrase of the taxonomy starts with 'the': " + out);
        assertEquals(8, out.stream().filter(s -> !s.startsWith("shingle:")).count(), "every word still comes: " + out);
    }

    @Test
    void theBuiltInTaxonomyFindsAPhraseInAPostAndTheContextsAboveIt() {
        ContextAnalyzer analyzer = new ContextAnalyzer(Taxonomy.builtIn());
        List<String> contexts = analyzer.ofContent("Watching the PREMIER League tonight", List.of(), List.of());
        assertTrue(contexts.containsAll(List.of("english-premier-league", "soccer")), contexts.toString());
        assertFalse(analyzer.ofContent("a league of its own, premier quality", List.of(), List.of()).contains("english-premier-league"),
                "the words apart are not the phrase");
    }
}
