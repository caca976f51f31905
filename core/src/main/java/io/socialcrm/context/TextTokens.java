package io.socialcrm.context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;

/**
 * Tokenisation of post text with Lucene's analyzers: Unicode word breaking (UAX#29, which keeps
 * URLs and e-mail addresses whole), lower case, accents folded to ASCII; and the word n-grams of
 * two to {@code maxWords} words, so that phrases like "premier league" match. Keywords of a
 * taxonomy are normalised the same way, so matching is exact on tokens. Thread-safe: Lucene reuses
 * one token stream per thread.
 *
 * <p>The n-grams are those Lucene's {@code ShingleFilter} makes (each run of consecutive tokens),
 * built here from the last words seen, and only those starting with a word that starts some
 * phrase of the taxonomy ({@code phraseStarts}): no other can match. The filter, which builds every
 * n-gram through its attribute copies, was two thirds of the time of analysing a post.
 */
public final class TextTokens {
    /** Lucene's type of a URL token. */
    public static final String URL_TYPE = UAX29URLEmailTokenizer.TOKEN_TYPES[UAX29URLEmailTokenizer.URL];
    /** The type of an n-gram of two or more words (as Lucene's {@code ShingleFilter} names it). */
    public static final String PHRASE_TYPE = "shingle";

    private final int maxWords;
    private final Set<String> phraseStarts;
    private final Analyzer words;

    /** Tokens and every n-gram of up to {@code maxWords} words. */
    public TextTokens(int maxWords) {
        this(maxWords, null);
    }

    /**
     * Tokens and the n-grams of up to {@code maxWords} words whose first word is in {@code phraseStarts}
     * (null: every n-gram).
     */
    public TextTokens(int maxWords, Set<String> phraseStarts) {
        this.maxWords = Math.max(1, maxWords);
        this.phraseStarts = phraseStarts == null ? null : Set.copyOf(phraseStarts);
        this.words = new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new UAX29URLEmailTokenizer();
                return new TokenStreamComponents(tokenizer, new ASCIIFoldingFilter(new LowerCaseFilter(tokenizer)));
            }
        };
    }

    /** Calls {@code sink} with each token and its Lucene type, and with each n-gram and {@link #PHRASE_TYPE}. */
    public void forEach(String text, BiConsumer<String, String> sink) {
        String[] last = new String[maxWords]; // the last words seen, by position modulo maxWords
        int[] seen = {0};
        run(text, (token, type) -> {
            sink.accept(token, type);
            last[seen[0] % maxWords] = token;
            int count = ++seen[0];
            // the n-grams that end with this token
            for (int n = 2; n <= Math.min(maxWords, count); n++) {
                String first = last[(count - n) % maxWords];
                if (phraseStarts != null && !phraseStarts.contains(first)) {
                    continue;
                }
                StringBuilder phrase = new StringBuilder(first);
                for (int k = count - n + 1; k < count; k++) {
                    phrase.append(' ').append(last[k % maxWords]);
                }
                sink.accept(phrase.toString(), PHRASE_TYPE);
            }
        });
    }

    /** A keyword or phrase as the analyzer sees it: folded words joined by single spaces. */
    public String normalize(String phrase) {
        List<String> tokens = new ArrayList<>();
        run(phrase, (token, type) -> tokens.add(token));
        return String.join(" ", tokens);
    }

    /** Calls {@code sink} with each word of the text and its Lucene type. */
    private void run(String text, BiConsumer<String, String> sink) {
        try (TokenStream stream = words.tokenStream("text", text)) {
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
}
