package io.socialcrm.context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.shingle.ShingleFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;

/**
 * Tokenisation of post text with Lucene's analyzers: Unicode word breaking (UAX#29, which keeps
 * URLs and e-mail addresses whole), lower case, accents folded to ASCII, and word n-grams
 * (shingles) so that phrases like "premier league" match. Keywords of a taxonomy are normalised the
 * same way, so matching is exact on tokens. Thread-safe: Lucene reuses one token stream per thread.
 */
public final class TextTokens {
    /** Lucene's type of a URL token. */
    public static final String URL_TYPE = UAX29URLEmailTokenizer.TOKEN_TYPES[UAX29URLEmailTokenizer.URL];

    private final int maxWords;
    private final Analyzer analyzer;
    private final Analyzer wordsOnly;

    public TextTokens(int maxWords) {
        this.maxWords = Math.max(1, maxWords);
        this.analyzer = analyzer(this.maxWords);
        this.wordsOnly = analyzer(1);
    }

    private static Analyzer analyzer(int maxWords) {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new UAX29URLEmailTokenizer();
                TokenStream stream = new ASCIIFoldingFilter(new LowerCaseFilter(tokenizer));
                if (maxWords > 1) {
                    ShingleFilter shingles = new ShingleFilter(stream, 2, maxWords);
                    shingles.setOutputUnigrams(true);
                    stream = shingles;
                }
                return new TokenStreamComponents(tokenizer, stream);
            }
        };
    }

    /** Calls {@code sink} with each token and n-gram of the text and its Lucene type. */
    public void forEach(String text, BiConsumer<String, String> sink) {
        run(analyzer, text, sink);
    }

    /** A keyword or phrase as the analyzer sees it: folded words joined by single spaces. */
    public String normalize(String phrase) {
        List<String> words = new ArrayList<>();
        run(wordsOnly, phrase, (token, type) -> words.add(token));
        return String.join(" ", words);
    }

    /** Words in a normalised phrase. */
    public static int wordCount(String normalized) {
        return normalized.isEmpty() ? 0 : normalized.split(" ").length;
    }

    public int maxWords() {
        return maxWords;
    }

    /** A hashtag folded for matching: no '#', lower case, accents removed. */
    public static String foldHashtag(String hashtag) {
        String s = hashtag.startsWith("#") ? hashtag.substring(1) : hashtag;
        char[] in = s.toCharArray();
        char[] out = new char[in.length * 4];
        int length = ASCIIFoldingFilter.foldToASCII(in, 0, out, 0, in.length);
        return new String(out, 0, length).toLowerCase(Locale.ROOT);
    }

    private static void run(Analyzer analyzer, String text, BiConsumer<String, String> sink) {
        try (TokenStream stream = analyzer.tokenStream("text", text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            TypeAttribute type = stream.addAttribute(TypeAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                sink.accept(term.toString(), type.type());
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException("Tokenising text failed", e);
        }
    }
}
